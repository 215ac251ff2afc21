/**
 * Where the session keeps its tokens. The session only talks to the {@link TokenStorage} interface, so tokens can live
 * in memory (default), in `localStorage`, or anywhere else (IndexedDB, secure storage on mobile, a server-side cache).
 */

/** The token pair as the client keeps it. All times are milliseconds since the epoch, on the client's clock. */
export interface TokenSet {
  /** Access token sent as `Authorization: Bearer <accessToken>`. */
  accessToken: string;
  /** Refresh token; absent in cookie mode (the browser keeps it in an HttpOnly cookie) or when the server sent none. */
  refreshToken?: string;
  /** When the access token expires, if known (from `expires_in` or the JWT `exp` claim). */
  accessExpiresAt?: number;
  /** When the refresh token expires, if known (from `refresh_expires_in`). */
  refreshExpiresAt?: number;
}

/**
 * Pluggable persistence for the token pair. Methods may be synchronous or return promises.
 * Implementations must not throw for "nothing stored": `get()` returns `null` instead.
 */
export interface TokenStorage {
  /** Returns the stored tokens, or `null` when nothing (valid) is stored. */
  get(): TokenSet | null | Promise<TokenSet | null>;
  /** Stores the tokens, replacing any previous value. */
  set(tokens: TokenSet): void | Promise<void>;
  /** Removes the stored tokens. */
  clear(): void | Promise<void>;
  /**
   * Name under which the tokens are stored. When present, the session enables cross-tab coordination by default and
   * derives the lock and BroadcastChannel names from it.
   */
  readonly key?: string;
  /**
   * `true` when every tab reads and writes the same data (e.g. `localStorage`): all tabs share one session, and
   * cross-tab messages only trigger a re-read of the storage. `false` when each tab has its own (e.g.
   * `sessionStorage`): tabs hold independent sessions and never act on each other's logins or logouts; only a tab
   * holding the very same pair (a duplicated tab) follows the other's refreshes, so the two never present a rotated
   * refresh token. Unset: the tokens carried by messages are copied into this storage.
   */
  readonly shared?: boolean;
  /**
   * Optional change notification from other tabs (e.g. the `storage` event). The session uses it only when
   * `BroadcastChannel` is unavailable. Returns an unsubscribe function.
   */
  subscribe?(listener: () => void): () => void;
}

/** Keeps tokens in memory: nothing survives a reload, nothing is readable by other scripts through storage APIs. */
export class MemoryTokenStorage implements TokenStorage {
  private tokens: TokenSet | null = null;

  get(): TokenSet | null {
    return this.tokens ? { ...this.tokens } : null;
  }

  set(tokens: TokenSet): void {
    this.tokens = { ...tokens };
  }

  clear(): void {
    this.tokens = null;
  }
}

/** Minimal subset of the Web Storage API used by {@link LocalStorageTokenStorage}. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** Options of {@link LocalStorageTokenStorage}. */
export interface LocalStorageTokenStorageOptions {
  /**
   * Storage key holding the JSON-serialised {@link TokenSet}.
   * @default 'dual-token-auth'
   */
  key?: string;
  /**
   * The Storage object to use (e.g. `sessionStorage`, or a test double).
   * @default globalThis.localStorage
   */
  storage?: StorageLike;
  /**
   * Whether all tabs see the same data (see {@link TokenStorage.shared}).
   * @default false for the browser's `sessionStorage`, true otherwise
   */
  shared?: boolean;
  /**
   * Where `storage` events are listened for; only needed when `BroadcastChannel` is missing.
   * @default globalThis (the window) when it supports addEventListener
   */
  eventTarget?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'>;
}

/**
 * Persists tokens in `localStorage` (or any Storage-like object) so they survive reloads and are shared by all tabs
 * of the origin. Trade-off: any script running on the page can read them, so use it only with a strict CSP, or prefer
 * cookie mode for the refresh token.
 */
export class LocalStorageTokenStorage implements TokenStorage {
  readonly key: string;
  readonly shared: boolean;
  private readonly storage: StorageLike;
  private readonly eventTarget: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | undefined;

  constructor(options: LocalStorageTokenStorageOptions = {}) {
    this.key = options.key ?? 'dual-token-auth';
    const storage = options.storage ?? defaultLocalStorage();
    if (!storage) {
      throw new TypeError('LocalStorageTokenStorage: no localStorage in this environment; pass options.storage');
    }
    this.storage = storage;
    this.shared = options.shared ?? storage !== defaultSessionStorage();
    this.eventTarget = options.eventTarget ?? defaultEventTarget();
  }

  get(): TokenSet | null {
    let raw: string | null;
    try {
      raw = this.storage.getItem(this.key);
    } catch {
      return null; // storage disabled (privacy mode, sandboxed iframe): behave as empty
    }
    return raw === null ? null : parseTokenSet(raw);
  }

  set(tokens: TokenSet): void {
    this.storage.setItem(this.key, JSON.stringify(tokens));
  }

  clear(): void {
    this.storage.removeItem(this.key);
  }

  subscribe(listener: () => void): () => void {
    const target = this.eventTarget;
    if (!target) return () => {};
    const onStorage = (event: Event): void => {
      const { key } = event as StorageEvent;
      // key === null means storage.clear() was called in another tab.
      if (key === this.key || key === null) listener();
    };
    target.addEventListener('storage', onStorage);
    return () => target.removeEventListener('storage', onStorage);
  }
}

/** Validates a stored JSON value; anything malformed counts as "nothing stored" rather than crashing the app. */
export function parseTokenSet(raw: string): TokenSet | null {
  try {
    const value: unknown = JSON.parse(raw);
    return isTokenSet(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * True for strings that can be sent as `Authorization: Bearer <token>`: the b64token syntax of RFC 6750 §2.1 (JWTs
 * and the usual opaque tokens match it). Anything else would make every request throw when the header is built.
 */
export function isBearerToken(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9\-._~+/]+=*$/.test(value);
}

/** Structural check of a {@link TokenSet}. */
export function isTokenSet(value: unknown): value is TokenSet {
  const v = value as Partial<Record<keyof TokenSet, unknown>> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    isBearerToken(v.accessToken) &&
    isOptional(v.refreshToken, 'string') &&
    isOptional(v.accessExpiresAt, 'number') &&
    isOptional(v.refreshExpiresAt, 'number')
  );
}

/** An optional field: absent (undefined) or of `type`. */
function isOptional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || typeof value === type;
}

/** Same tokens (expiry metadata is derived from them, so comparing the strings is enough). */
export function sameTokens(a: TokenSet | null | undefined, b: TokenSet | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return a.accessToken === b.accessToken && a.refreshToken === b.refreshToken;
}

function defaultLocalStorage(): StorageLike | undefined {
  try {
    // Reading the property throws a SecurityError when storage is blocked, hence the try.
    return (globalThis as { localStorage?: StorageLike }).localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function defaultSessionStorage(): StorageLike | undefined {
  try {
    return (globalThis as { sessionStorage?: StorageLike }).sessionStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function defaultEventTarget(): Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | undefined {
  const g = globalThis as Partial<EventTarget> & { document?: unknown };
  // Only a window receives `storage` events; in Node/workers there is nothing to listen to.
  return g.document !== undefined && typeof g.addEventListener === 'function' && typeof g.removeEventListener === 'function'
    ? (g as Pick<EventTarget, 'addEventListener' | 'removeEventListener'>)
    : undefined;
}
