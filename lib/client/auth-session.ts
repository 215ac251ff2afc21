import { MAX_TIMER_DELAY_MS, systemClock, type Clock } from './clock.js';
import {
  CrossTabCoordinator,
  detectChannelFactory,
  detectLockManager,
  type CrossTabMessage,
  type CrossTabPayload,
  type CrossTabOptions,
} from './cross-tab-coordinator.js';
import {
  LoginFailedError,
  RefreshFailedError,
  SessionEndedError,
  abortReason,
  type SessionEndReason,
} from './errors.js';
import { createAuthFetch, type FetchLike } from './fetch-adapter.js';
import { readJwtTiming } from './jwt-expiry.js';
import { discardBody, raceAbort, TimedOut, withTimeout } from './promise-utils.js';
import { isTokenSet, MemoryTokenStorage, sameTokens, type TokenSet, type TokenStorage } from './token-storage.js';
import { TypedEventEmitter } from './typed-event-emitter.js';
import { documentUrl, joinUrl, resolveUrl, withoutQuery } from './url-utils.js';

/** Extra headers for the refresh and logout calls, or a function producing them (e.g. reading a CSRF cookie). */
export type HeadersProvider = HeadersInit | (() => HeadersInit | Promise<HeadersInit>);

/** Options of {@link AuthSession} / {@link createAuthSession}. */
export interface AuthSessionOptions {
  /**
   * Base URL of the API, e.g. `https://api.example.com` or `https://example.com/api`. In a browser it may be
   * relative (`/api`, or `''` for the page's origin); outside a browser it must be absolute.
   */
  baseUrl: string;
  /**
   * Path segment of the auth controller on the server (the server's configurable route prefix).
   * @default 'user'
   */
  pathPrefix?: string;
  /**
   * Login endpoint; relative values are joined to `baseUrl`, absolute URLs are used as is.
   * @default `${pathPrefix}/login`
   */
  loginUrl?: string;
  /**
   * Refresh endpoint; relative values are joined to `baseUrl`, absolute URLs are used as is.
   * @default `${pathPrefix}/refresh`
   */
  refreshUrl?: string;
  /**
   * Logout endpoint; relative values are joined to `baseUrl`, absolute URLs are used as is.
   * @default `${pathPrefix}/logout`
   */
  logoutUrl?: string;
  /**
   * Where tokens are kept.
   * @default new MemoryTokenStorage()
   */
  storage?: TokenStorage;
  /**
   * How the refresh token travels. `'body'`: the client stores it and posts `{ refresh_token }`. `'cookie'`: the
   * server keeps it in an HttpOnly cookie; the client stores only the access token and calls the refresh endpoint
   * with `credentials: 'include'` and an empty JSON object as body.
   * @default 'body'
   */
  refreshTokenTransport?: 'body' | 'cookie';
  /**
   * Extra headers for the refresh and logout calls, typically the CSRF header in cookie mode
   * (`{ 'x-csrf-token': token }` or `() => ({ 'x-csrf-token': readCookie('csrf') })`). Replaces the default.
   * @default `{ 'x-csrf-protection': '1' }` in cookie mode (what the nestjs-dual-token-auth server requires by
   * default: a header a cross-site form cannot send), none otherwise
   */
  refreshHeaders?: HeadersProvider;
  /**
   * `credentials` mode of the login, refresh and logout calls.
   * @default 'include' in cookie mode, otherwise 'same-origin'
   */
  credentials?: RequestCredentials;
  /**
   * Timeout of one refresh call in milliseconds (also bounds login and logout). Waiting requests are rejected with
   * a `RefreshFailedError` of kind `timeout` when it elapses, so nothing ever hangs on a dead network.
   * @default 10000
   */
  refreshTimeoutMs?: number;
  /**
   * Refresh this many seconds before the access token expires. For short-lived tokens the lead time is capped at
   * 25% of the token's remaining lifetime (a 60 s token is refreshed after about 44 s, not after 30 s; a 20 s token
   * after about 14 s), so a short lifetime never turns into a refresh loop.
   * @default 30
   */
  leewaySeconds?: number;
  /**
   * Refresh proactively before the access token expires. Expiry comes from `expires_in` of the token response
   * (measured on the client's clock, so a skewed client clock cannot cause early or late refreshes), else from the
   * JWT `exp` claim. A whole-second `expires_in` is counted from an issue time the server truncated to the second
   * (JWT `iat`/`exp` are whole seconds), so the token may expire up to 1 s earlier than `expires_in` says: the client
   * assumes the earliest, otherwise tokens of a few seconds would often be refreshed after they expired.
   * Opaque tokens without `expires_in` are refreshed only when the server answers 401.
   * @default true
   */
  proactiveRefresh?: boolean;
  /**
   * Origins (`https://api.example.com`) to which `Authorization` is attached by `session.fetch` and the axios
   * interceptors. Requests to any other origin are passed through untouched, so tokens never leak to third parties.
   * @default [origin of baseUrl]
   */
  allowedOrigins?: readonly string[];
  /**
   * The fetch implementation used for the auth endpoints and, by default, by `session.fetch`.
   * @default globalThis.fetch (looked up on each call, so polyfills installed later are used)
   */
  fetch?: FetchLike;
  /**
   * Time source and timers (inject a `ManualClock` in tests).
   * @default systemClock (Date.now / setTimeout with unref in Node)
   */
  clock?: Clock;
  /**
   * Cross-tab coordination (one refresh at a time across tabs, new tokens and logout relayed to other tabs).
   * `false` disables it, `true` or an object enables it.
   * @default enabled when the storage has a `key` (e.g. LocalStorageTokenStorage) and the runtime has Web Locks or
   * BroadcastChannel; disabled otherwise, so two sessions in one process never talk to each other by accident.
   */
  crossTab?: boolean | CrossTabOptions;
}

/** The token response of the server's login and refresh endpoints. */
export interface TokenResponseBody {
  access_token: string;
  refresh_token?: string;
  token_type?: string;
  /** Lifetime of the access token in seconds. */
  expires_in?: number;
  /** Lifetime of the refresh token in seconds. */
  refresh_expires_in?: number;
}

/** Where a token change came from. */
export type TokenChangeSource = 'restored' | 'login' | 'refresh' | 'set' | 'other-tab' | 'logout' | 'ended';

/** What started a refresh. */
export type RefreshTrigger = 'unauthorized' | 'proactive' | 'manual';

/** Payload of `tokensChanged`: fired on every change of the token pair, local or from another tab. */
export interface TokensChangedEvent {
  /** The new tokens, or null when the session was cleared. */
  tokens: TokenSet | null;
  source: TokenChangeSource;
}

/** Payload of `refreshed`: this session obtained new tokens from the refresh endpoint. */
export interface RefreshedEvent {
  /** New access-token expiry in ms since the epoch, if known. */
  accessExpiresAt?: number;
  /** New refresh-token expiry in ms since the epoch, if known. */
  refreshExpiresAt?: number;
  /** Number of successful refresh calls made by this session so far (including this one). */
  refreshCount: number;
  trigger: RefreshTrigger;
}

/** Payload of `refreshFailed`: a refresh failed without ending the session (tokens kept). */
export interface RefreshFailedEvent {
  error: RefreshFailedError;
}

/** Payload of `sessionEnded` / `ended`: the session ended without the user asking for it. */
export interface SessionEndedEvent {
  reason: SessionEndReason;
  /** HTTP status of the rejected refresh, when there was one. */
  status?: number;
  /** The error every waiting request was rejected with. */
  error: SessionEndedError;
}

/** Payload of `loggedOut`: `logout()` was called here (`this-tab`) or in another tab. */
export interface LoggedOutEvent {
  origin: 'this-tab' | 'other-tab';
}

/** Events of {@link AuthSession}. */
export interface AuthSessionEvents {
  tokensChanged: TokensChangedEvent;
  refreshed: RefreshedEvent;
  refreshFailed: RefreshFailedEvent;
  /**
   * The session ended involuntarily (refresh rejected, storage cleared elsewhere, another tab's refresh rejected):
   * tokens are gone and the user must log in again. Fires once per session, never for an explicit `logout()`.
   */
  sessionEnded: SessionEndedEvent;
  /** Alias of `sessionEnded`. */
  ended: SessionEndedEvent;
  /** An explicit `logout()` ran, in this tab or another one. Distinct from `sessionEnded`. */
  loggedOut: LoggedOutEvent;
}

/** Options of {@link AuthSession.login}. */
export interface LoginOptions {
  /** Aborts the login call; the promise then rejects with the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
  /** Extra JSON fields sent along with username and password (e.g. a captcha token). */
  extraBody?: Record<string, unknown>;
}

/** How long a tab waits for its view of the shared storage to show tokens another tab announced, and how often it looks. */
const STORAGE_CATCH_UP_MS = 1000;
const STORAGE_POLL_MS = 20;

/** Thrown internally when the server rejects the refresh token; turned into a SessionEndedError. */
class RefreshRejected {
  constructor(readonly status: number) {}
}

/**
 * One authenticated session: owns the token pair, refreshes it (single-flight, proactive, across tabs) and exposes
 * a fetch wrapper. Create it with {@link createAuthSession}. All state lives in the instance.
 */
export class AuthSession {
  /**
   * `fetch` that attaches `Authorization: Bearer` for allowed origins and replays once after a refresh.
   * Same as `createAuthFetch(session)`.
   */
  readonly fetch: FetchLike;
  /** Plain fetch used for the auth endpoints (never intercepted, so a refresh can never trigger a refresh). */
  readonly rawFetch: FetchLike;
  /** Resolves once tokens were loaded from storage. Methods wait for it themselves; await it to read state early. */
  readonly ready: Promise<void>;
  /** Resolved login endpoint. */
  readonly loginUrl: string;
  /** Resolved refresh endpoint. */
  readonly refreshUrl: string;
  /** Resolved logout endpoint. */
  readonly logoutUrl: string;

  private readonly events = new TypedEventEmitter<AuthSessionEvents>();
  private readonly storage: TokenStorage;
  private readonly clock: Clock;
  private readonly cookieMode: boolean;
  private readonly refreshHeaders: HeadersProvider | undefined;
  private readonly credentials: RequestCredentials;
  private readonly refreshTimeoutMs: number;
  private readonly leewayMs: number;
  private readonly proactive: boolean;
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly absoluteBase: string;
  private readonly authEndpoints: ReadonlySet<string>;
  private readonly coordinator: CrossTabCoordinator | null;
  private readonly lockTimeoutMs: number;
  private readonly unsubscribeStorage: (() => void) | undefined;

  private tokens: TokenSet | null = null;
  private tokensSource: TokenChangeSource = 'restored';
  /** Bumped when the session is replaced (login, setTokens, logout, end): stale refresh results are discarded. */
  private generation = 0;
  private lastEndReason: SessionEndReason = 'logged-out';
  private inflight: Promise<TokenSet> | null = null;
  private inflightTrigger: RefreshTrigger = 'manual';
  private timer: unknown = undefined;
  private timerArmed = false;
  /** Storage writes are chained so a re-read never observes a write that is still in progress. */
  private writeChain: Promise<void> = Promise.resolve();
  /** Cookie mode only: the server said there is no refresh cookie; don't try again until the next login. */
  private cookieSessionAbsent = false;
  private refreshes = 0;
  private disposed = false;
  /** Number of cross-tab messages received; a handler that waited gives way to messages that arrived meanwhile. */
  private messagesReceived = 0;

  constructor(options: AuthSessionOptions) {
    if (!options || typeof options.baseUrl !== 'string') throw new TypeError('AuthSession: options.baseUrl is required');
    const page = documentUrl();
    const base = resolveUrl(options.baseUrl || '/', page);
    if (!base) {
      throw new TypeError(`AuthSession: baseUrl "${options.baseUrl}" must be an absolute URL outside a browser`);
    }
    this.absoluteBase = base.href;
    const prefix = (options.pathPrefix ?? 'user').replace(/^\/+|\/+$/g, '');
    const endpoint = (explicit: string | undefined, name: string): string =>
      joinUrl(options.baseUrl, explicit ?? (prefix ? `${prefix}/${name}` : name));
    this.loginUrl = endpoint(options.loginUrl, 'login');
    this.refreshUrl = endpoint(options.refreshUrl, 'refresh');
    this.logoutUrl = endpoint(options.logoutUrl, 'logout');
    this.authEndpoints = new Set(
      [this.loginUrl, this.refreshUrl].map((u) => resolveUrl(u, this.absoluteBase)).flatMap((u) => (u ? [withoutQuery(u)] : [])),
    );

    this.storage = options.storage ?? new MemoryTokenStorage();
    this.clock = options.clock ?? systemClock;
    this.cookieMode = options.refreshTokenTransport === 'cookie';
    this.refreshHeaders = options.refreshHeaders ?? (this.cookieMode ? { 'x-csrf-protection': '1' } : undefined);
    this.credentials = options.credentials ?? (this.cookieMode ? 'include' : 'same-origin');
    this.refreshTimeoutMs = positive(options.refreshTimeoutMs, 10_000, 'refreshTimeoutMs');
    this.leewayMs = nonNegative(options.leewaySeconds, 30, 'leewaySeconds') * 1000;
    this.proactive = options.proactiveRefresh ?? true;
    const origins = options.allowedOrigins ?? [base.origin];
    this.allowedOrigins = new Set(
      origins.flatMap((origin) => {
        const url = resolveUrl(origin, page);
        return url && url.origin !== 'null' ? [url.origin] : [];
      }),
    );

    // Looked up per call and invoked unbound-safe: window.fetch throws "Illegal invocation" when detached.
    this.rawFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

    const crossTab = options.crossTab;
    const crossTabOptions: CrossTabOptions = typeof crossTab === 'object' && crossTab !== null ? crossTab : {};
    const crossTabEnabled = crossTab === undefined ? this.storage.key !== undefined : crossTab !== false;
    this.lockTimeoutMs = positive(crossTabOptions.lockTimeoutMs, this.refreshTimeoutMs, 'crossTab.lockTimeoutMs');
    if (crossTabEnabled) {
      const channelName = crossTabOptions.channelName ?? `${this.storage.key ?? 'dual-token-auth'}:sync`;
      const locks = crossTabOptions.locks === undefined ? detectLockManager() : crossTabOptions.locks;
      const createChannel =
        crossTabOptions.createChannel === undefined ? detectChannelFactory() : crossTabOptions.createChannel;
      this.coordinator =
        locks || createChannel
          ? new CrossTabCoordinator({
              lockName: crossTabOptions.lockName ?? `${channelName}:refresh`,
              channelName,
              lockTimeoutMs: this.lockTimeoutMs,
              locks,
              createChannel,
              clock: this.clock,
              onMessage: (message) => void this.onCrossTabMessage(message),
            })
          : null;
      // The storage event is the fallback for browsers without BroadcastChannel: it carries no reason, so using
      // both would report the same change twice with possibly different meanings.
      if (!this.coordinator?.canBroadcast && this.storage.subscribe) {
        this.unsubscribeStorage = this.storage.subscribe(() => void this.onStorageChanged());
      }
    } else {
      this.coordinator = null;
    }

    this.fetch = createAuthFetch(this);
    this.ready = this.restore();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public state

  /** True while the session holds an access token. In cookie mode a refresh cookie may exist even when false. */
  get isAuthenticated(): boolean {
    return this.tokens !== null;
  }

  /** Number of successful refresh calls this session made (adopting another tab's tokens does not count). */
  get refreshCount(): number {
    return this.refreshes;
  }

  /** The current access token (after storage was loaded), without refreshing; null when not authenticated. */
  async getAccessToken(): Promise<string | null> {
    await this.ready;
    return this.tokens?.accessToken ?? null;
  }

  /** A copy of the current token pair with expiry metadata, or null. */
  async getTokens(): Promise<TokenSet | null> {
    await this.ready;
    return this.tokens ? { ...this.tokens } : null;
  }

  /**
   * Subscribes to an event; returns an unsubscribe function. `ended` is an alias of `sessionEnded`.
   */
  on<K extends keyof AuthSessionEvents>(event: K, listener: (payload: AuthSessionEvents[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof AuthSessionEvents>(event: K, listener: (payload: AuthSessionEvents[K]) => void): void {
    this.events.off(event, listener);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Login / logout / set

  /**
   * Posts `{ username, password }` to the login endpoint and stores the returned tokens.
   * @throws LoginFailedError on a non-2xx answer (`status` 401 for wrong credentials), network error or timeout.
   */
  async login(username: string, password: string, options: LoginOptions = {}): Promise<TokenSet> {
    await this.ready;
    const { signal } = options;
    if (signal?.aborted) throw abortReason(signal);
    let body: unknown;
    let receivedAt = 0;
    try {
      body = await this.callWithTimeout(signal, async (requestSignal) => {
        const response = await this.rawFetch(this.loginUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ ...options.extraBody, username, password }),
          credentials: this.credentials,
          signal: requestSignal,
        });
        receivedAt = this.clock.now();
        if (!response.ok) {
          discardBody(response);
          throw new LoginFailedError(
            response.status === 401 ? 'Invalid username or password' : `Login failed with HTTP ${response.status}`,
            { status: response.status },
          );
        }
        return response.json();
      });
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal);
      if (error instanceof LoginFailedError) throw error;
      if (error instanceof TimedOut) throw new LoginFailedError('Login timed out');
      throw new LoginFailedError('Login request failed', { cause: error });
    }
    const tokens = this.parseTokenResponse(body, receivedAt, undefined);
    if (!tokens) throw new LoginFailedError('Login response has no access_token');
    this.generation++;
    this.cookieSessionAbsent = false;
    this.applyTokens(tokens, 'login');
    return { ...tokens };
  }

  /**
   * Ends the session on purpose. Tokens are cleared locally first (so no request sent meanwhile carries them and a
   * refresh finishing meanwhile cannot resurrect the session), then `tokensChanged` and `loggedOut` fire, other tabs
   * are told, and finally the logout endpoint is called best-effort (errors and timeouts are ignored).
   * Fires `loggedOut`, never `sessionEnded`.
   */
  async logout(): Promise<void> {
    await this.ready;
    const previous = this.tokens;
    this.generation++;
    this.lastEndReason = 'logged-out';
    if (this.cookieMode) this.cookieSessionAbsent = true;
    this.tokens = null;
    this.cancelTimer();
    this.persist(null);
    if (previous) this.events.emit('tokensChanged', { tokens: null, source: 'logout' });
    this.events.emit('loggedOut', { origin: 'this-tab' });
    this.announce({ type: 'cleared', reason: 'logout' });

    // Without a token or cookie the server cannot tell which session to revoke.
    if (!previous && !this.cookieMode) return;
    try {
      await this.callWithTimeout(undefined, async (signal) => {
        const headers = new Headers(await resolveHeaders(this.refreshHeaders));
        headers.set('content-type', 'application/json');
        if (previous) headers.set('authorization', `Bearer ${previous.accessToken}`);
        const body = !this.cookieMode && previous?.refreshToken ? { refresh_token: previous.refreshToken } : {};
        const response = await this.rawFetch(this.logoutUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          credentials: this.credentials,
          signal,
        });
        discardBody(response);
      });
    } catch {
      // Best-effort: the local session is already gone, the server-side one expires on its own.
    }
  }

  /**
   * Replaces the tokens (e.g. received from a server-rendered page or another login flow). Accepts a
   * {@link TokenSet} or the server's token response body. `null` clears them without calling the server and without
   * `loggedOut`/`sessionEnded` here (only `tokensChanged`); other tabs are told as for a logout.
   */
  async setTokens(tokens: TokenSet | TokenResponseBody | null): Promise<void> {
    await this.ready;
    this.generation++;
    if (tokens === null) {
      const had = this.tokens !== null;
      this.tokens = null;
      this.cancelTimer();
      this.persist(null);
      if (had) this.events.emit('tokensChanged', { tokens: null, source: 'set' });
      this.announce({ type: 'cleared', reason: 'logout' });
      return;
    }
    const normalized = isTokenSet(tokens)
      ? this.normalize(tokens)
      : this.parseTokenResponse(tokens, this.clock.now(), undefined);
    if (!normalized) throw new TypeError('setTokens: an accessToken / access_token string is required');
    this.cookieSessionAbsent = false;
    this.applyTokens(normalized, 'set');
  }

  /**
   * Refreshes now (joining a refresh already in flight). Useful on page load in cookie mode, where the access token
   * is not persisted: `await session.refresh()` turns the refresh cookie into an access token.
   * @throws SessionEndedError when the server rejects the refresh token (or there is none to send).
   * @throws RefreshFailedError on network errors, timeouts and 5xx; tokens are kept.
   */
  async refresh(): Promise<TokenSet> {
    await this.ready;
    return { ...(await this.refreshSingleFlight('manual')) };
  }

  /** Stops the proactive timer, cross-tab listeners and event listeners. The session must not be used afterwards. */
  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
    this.coordinator?.close();
    this.unsubscribeStorage?.();
    this.events.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Adapter API (used by session.fetch and the axios interceptors; usable for custom adapters)

  /**
   * Whether a request to `url` should carry the access token: its origin is allowed and it is not the login or
   * refresh endpoint (the refresh call must never be intercepted).
   */
  shouldAuthorize(url: string): boolean {
    const resolved = resolveUrl(url, documentUrl() ?? this.absoluteBase);
    if (!resolved || !this.allowedOrigins.has(resolved.origin)) return false;
    return !this.authEndpoints.has(withoutQuery(resolved));
  }

  /**
   * Call when a request sent with `sentWithToken` got 401. Resolves to the access token to replay the request with,
   * or `null` when there is no session to refresh (pass the 401 on unchanged).
   *
   * If the session already holds a different token (a refresh finished while the request was in flight), that token
   * is returned without refreshing; otherwise the caller joins the single in-flight refresh or starts it.
   * @throws SessionEndedError | RefreshFailedError, or the signal's reason when `signal` aborts while waiting (the
   * refresh itself and other waiters are not affected).
   */
  async handleUnauthorized(sentWithToken: string | null, signal?: AbortSignal): Promise<string | null> {
    if (signal?.aborted) throw abortReason(signal);
    await raceAbort(this.ready, signal);
    const current = this.tokens?.accessToken ?? null;
    if (current !== null && current !== sentWithToken) return current;
    if (current === null) {
      // The request carried a token but the session is gone by now: same outcome as for the refresh's waiters.
      if (sentWithToken !== null) throw new SessionEndedError(this.lastEndReason);
      if (!this.cookieMode || this.cookieSessionAbsent) return null;
    }
    const tokens = await raceAbort(this.refreshSingleFlight('unauthorized'), signal);
    return tokens.accessToken;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Refresh machinery

  private refreshSingleFlight(trigger: RefreshTrigger): Promise<TokenSet> {
    if (!this.inflight) {
      this.inflightTrigger = trigger;
      const flight = this.runRefresh(this.tokens, this.generation).finally(() => {
        if (this.inflight === flight) this.inflight = null;
      });
      // Waiters may all have aborted; the flight's outcome must never become an unhandled rejection.
      flight.catch(() => {});
      this.inflight = flight;
    }
    return this.inflight;
  }

  /** Whole refresh under a last-resort deadline, so even a hanging custom storage cannot leave waiters pending. */
  private async runRefresh(snapshot: TokenSet | null, generation: number): Promise<TokenSet> {
    const deadline = this.refreshTimeoutMs + (this.coordinator ? this.lockTimeoutMs : 0) + 1000;
    try {
      return await withTimeout(this.clock, this.refreshUnderLock(snapshot, generation), deadline, () => {});
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error;
      const failure = new RefreshFailedError('timeout');
      this.events.emit('refreshFailed', { error: failure });
      throw failure;
    }
  }

  private refreshUnderLock(snapshot: TokenSet | null, generation: number): Promise<TokenSet> {
    const work = async (): Promise<TokenSet> => {
      // Another tab (or a session sharing the storage) may have refreshed while we waited for the lock: adopt its
      // tokens instead of presenting a refresh token that was just rotated away.
      const adopted = await this.adoptNewerStoredTokens(snapshot, generation);
      if (adopted) return adopted;
      if (generation !== this.generation) return this.currentOrEnded();

      if (!this.cookieMode && !snapshot?.refreshToken) throw this.endSession('no-refresh-token');

      let fresh: TokenSet;
      try {
        fresh = await this.callRefreshEndpoint(snapshot);
      } catch (error) {
        if (generation !== this.generation) return this.currentOrEnded();
        if (error instanceof RefreshRejected) {
          // A parallel refresh elsewhere may have rotated the token between our read and our call.
          const rescued = await this.adoptNewerStoredTokens(snapshot, generation);
          if (rescued) return rescued;
          throw this.endSession('refresh-rejected', error.status);
        }
        const failure = error instanceof RefreshFailedError ? error : new RefreshFailedError('network', { cause: error });
        this.events.emit('refreshFailed', { error: failure });
        throw failure;
      }
      if (generation !== this.generation) return this.currentOrEnded();
      this.refreshes++;
      this.cookieSessionAbsent = false;
      this.applyTokens(fresh, 'refresh');
      const event: RefreshedEvent = { refreshCount: this.refreshes, trigger: this.inflightTrigger };
      if (fresh.accessExpiresAt !== undefined) event.accessExpiresAt = fresh.accessExpiresAt;
      if (fresh.refreshExpiresAt !== undefined) event.refreshExpiresAt = fresh.refreshExpiresAt;
      this.events.emit('refreshed', event);
      // Hold the cross-tab lock until the new pair is stored: the next tab to take it re-reads the storage and must
      // see the rotated refresh token, not the one the server just invalidated.
      await this.writeChain;
      return generation === this.generation ? fresh : this.currentOrEnded();
    };
    return this.coordinator ? this.coordinator.withRefreshLock(work) : work();
  }

  /**
   * Re-reads the storage. Returns the stored tokens when they differ from `snapshot` (someone else refreshed) after
   * adopting them; ends the session when the storage was emptied elsewhere; otherwise returns null.
   */
  private async adoptNewerStoredTokens(snapshot: TokenSet | null, generation: number): Promise<TokenSet | null> {
    await this.writeChain;
    const stored = await this.readStorage();
    if (stored === undefined || generation !== this.generation) return null;
    if (stored && !sameTokens(stored, snapshot)) {
      if (!sameTokens(stored, this.tokens)) this.adopt(stored, 'other-tab', false);
      return this.tokens ?? stored;
    }
    if (!stored && snapshot && !this.cookieMode) {
      throw this.endSession('cleared-elsewhere', undefined, false);
    }
    return null;
  }

  private currentOrEnded(): TokenSet {
    if (this.tokens) return this.tokens;
    throw new SessionEndedError(this.lastEndReason);
  }

  private async callRefreshEndpoint(snapshot: TokenSet | null): Promise<TokenSet> {
    try {
      return await this.callWithTimeout(undefined, async (signal) => {
        const headers = new Headers(await resolveHeaders(this.refreshHeaders));
        headers.set('content-type', 'application/json');
        headers.set('accept', 'application/json');
        const body = this.cookieMode ? {} : { refresh_token: snapshot?.refreshToken };
        const response = await this.rawFetch(this.refreshUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify(body),
          credentials: this.credentials,
          signal,
        });
        const receivedAt = this.clock.now();
        if (response.status === 400 || response.status === 401 || response.status === 403) {
          discardBody(response);
          throw new RefreshRejected(response.status);
        }
        if (!response.ok) {
          discardBody(response);
          const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
          throw new RefreshFailedError(retryable ? 'server' : 'unexpected-status', { status: response.status });
        }
        let json: unknown;
        try {
          json = await response.json();
        } catch (cause) {
          throw new RefreshFailedError('invalid-response', { status: response.status, cause });
        }
        const tokens = this.parseTokenResponse(json, receivedAt, snapshot?.refreshToken);
        if (!tokens) throw new RefreshFailedError('invalid-response', { status: response.status });
        return tokens;
      });
    } catch (error) {
      if (error instanceof TimedOut) throw new RefreshFailedError('timeout');
      throw error;
    }
  }

  /**
   * Runs `call` with an AbortSignal that fires on `refreshTimeoutMs` or when `outer` aborts. The returned promise
   * settles on the timeout even if the fetch implementation ignores the signal.
   */
  private callWithTimeout<T>(outer: AbortSignal | undefined, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const onOuterAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const promise = (async () => call(controller.signal))();
    return withTimeout(this.clock, raceAbort(promise, outer), this.refreshTimeoutMs, () => controller.abort()).finally(() =>
      outer?.removeEventListener('abort', onOuterAbort),
    );
  }

  /**
   * Ends the session involuntarily: clears tokens, fires `tokensChanged` + `sessionEnded` once (only if there was a
   * session), tells other tabs. Returns the error to reject waiters with.
   */
  private endSession(reason: SessionEndReason, status?: number, clearStorage = true): SessionEndedError {
    const error = new SessionEndedError(reason, status === undefined ? {} : { status });
    const had = this.tokens !== null;
    this.generation++;
    this.lastEndReason = reason;
    if (this.cookieMode) this.cookieSessionAbsent = true;
    this.tokens = null;
    this.cancelTimer();
    if (clearStorage) this.persist(null);
    if (had) {
      this.events.emit('tokensChanged', { tokens: null, source: 'ended' });
      const payload: SessionEndedEvent = status === undefined ? { reason, error } : { reason, status, error };
      this.events.emit('sessionEnded', payload);
      this.events.emit('ended', payload);
      if (clearStorage) this.announce({ type: 'cleared', reason: 'ended' });
    }
    return error;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Token bookkeeping

  private async restore(): Promise<void> {
    const stored = await this.readStorage();
    if (!stored || this.disposed) return;
    const tokens = this.normalize(stored);
    this.tokens = tokens;
    this.tokensSource = 'restored';
    this.schedule();
    this.events.emit('tokensChanged', { tokens: { ...tokens }, source: 'restored' });
  }

  /** Sets tokens, persists them, re-arms the proactive timer, notifies listeners and other tabs. */
  private applyTokens(tokens: TokenSet, source: TokenChangeSource): void {
    this.tokens = tokens;
    this.tokensSource = source;
    this.persist(tokens);
    this.schedule();
    this.events.emit('tokensChanged', { tokens: { ...tokens }, source });
    this.announce({ type: 'tokens', tokens: { ...tokens } });
  }

  /**
   * Tells the other tabs, once this tab's pending storage writes are done, so a message never announces tokens the
   * storage does not hold yet (and messages keep the order of the writes).
   */
  private announce(message: CrossTabPayload): void {
    const coordinator = this.coordinator;
    if (!coordinator) return;
    this.writeChain = this.writeChain.then(() => coordinator.publish(message));
  }

  /** Takes tokens written by someone else; `persist` only for per-tab storage receiving them by message. */
  private adopt(tokens: TokenSet, source: TokenChangeSource, persist: boolean): void {
    this.tokens = this.normalize(tokens);
    this.tokensSource = source;
    this.cookieSessionAbsent = false;
    if (persist) this.persist(this.tokens);
    this.schedule();
    this.events.emit('tokensChanged', { tokens: { ...this.tokens }, source });
  }

  private persist(tokens: TokenSet | null): void {
    const write = async (): Promise<void> => {
      if (tokens) await this.storage.set(tokens);
      else await this.storage.clear();
    };
    this.writeChain = this.writeChain.then(write).catch((error: unknown) => {
      console.error('[dual-token-auth] token storage write failed', error);
    });
  }

  /** Storage read that never throws: `undefined` means "could not read", `null` means "empty". */
  private async readStorage(): Promise<TokenSet | null | undefined> {
    try {
      const value = await this.storage.get();
      return value && isTokenSet(value) ? this.normalize(value) : null;
    } catch {
      return undefined;
    }
  }

  /** Fills in expiry from the JWT when unknown; drops a refresh token in cookie mode (the cookie is the truth). */
  private normalize(tokens: TokenSet): TokenSet {
    const result: TokenSet = { accessToken: tokens.accessToken };
    if (!this.cookieMode && tokens.refreshToken) result.refreshToken = tokens.refreshToken;
    const accessExpiresAt = tokens.accessExpiresAt ?? readJwtTiming(tokens.accessToken).expiresAt;
    if (accessExpiresAt !== undefined) result.accessExpiresAt = accessExpiresAt;
    const refreshExpiresAt =
      tokens.refreshExpiresAt ?? (result.refreshToken ? readJwtTiming(result.refreshToken).expiresAt : undefined);
    if (refreshExpiresAt !== undefined) result.refreshExpiresAt = refreshExpiresAt;
    return result;
  }

  private parseTokenResponse(body: unknown, receivedAt: number, previousRefreshToken: string | undefined): TokenSet | null {
    if (typeof body !== 'object' || body === null) return null;
    const b = body as Record<string, unknown>;
    const accessToken = b['access_token'];
    if (typeof accessToken !== 'string' || accessToken === '') return null;
    const tokens: TokenSet = { accessToken };
    if (!this.cookieMode) {
      const refreshToken = b['refresh_token'];
      // A server without rotation may omit the refresh token on refresh: keep using the previous one.
      if (typeof refreshToken === 'string' && refreshToken !== '') tokens.refreshToken = refreshToken;
      else if (previousRefreshToken) tokens.refreshToken = previousRefreshToken;
    }
    const expiresIn = b['expires_in'];
    if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) {
      tokens.accessExpiresAt = receivedAt + earliestLifetimeMs(expiresIn);
    }
    const refreshExpiresIn = b['refresh_expires_in'];
    if (typeof refreshExpiresIn === 'number' && Number.isFinite(refreshExpiresIn) && refreshExpiresIn > 0) {
      tokens.refreshExpiresAt = receivedAt + earliestLifetimeMs(refreshExpiresIn);
    }
    return this.normalize(tokens);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Proactive refresh

  private schedule(): void {
    this.cancelTimer();
    const tokens = this.tokens;
    if (!this.proactive || this.disposed || !tokens || tokens.accessExpiresAt === undefined) return;
    if (!this.cookieMode && !tokens.refreshToken) return;
    const remaining = tokens.accessExpiresAt - this.clock.now();
    // Tokens fresh from the server that already look expired mean a skewed clock and a JWT without expires_in:
    // refreshing would only produce another "expired" token, i.e. a loop. Rely on 401 handling instead.
    if (remaining <= 0 && this.tokensSource !== 'restored' && this.tokensSource !== 'set') return;
    const lead = Math.min(this.leewayMs, Math.max(0, remaining) * 0.25);
    this.armTimer(tokens.accessExpiresAt - lead, tokens.accessToken);
  }

  private armTimer(dueAt: number, accessToken: string): void {
    this.cancelTimer();
    const delay = Math.min(Math.max(0, dueAt - this.clock.now()), MAX_TIMER_DELAY_MS);
    this.timerArmed = true;
    this.timer = this.clock.setTimeout(() => {
      this.timerArmed = false;
      if (this.disposed || this.tokens?.accessToken !== accessToken) return;
      // Delays beyond ~24.8 days are clamped; re-arm until actually due.
      if (this.clock.now() < dueAt) return this.armTimer(dueAt, accessToken);
      this.refreshSingleFlight('proactive').catch((error: unknown) => this.retryProactive(error, accessToken));
    }, delay);
  }

  /** After a transient failure, retry at half the remaining lifetime (bounded number of attempts, never a loop). */
  private retryProactive(error: unknown, accessToken: string): void {
    const tokens = this.tokens;
    if (!(error instanceof RefreshFailedError) || !error.retryable || this.disposed) return;
    if (!tokens || tokens.accessToken !== accessToken || tokens.accessExpiresAt === undefined) return;
    const remaining = tokens.accessExpiresAt - this.clock.now();
    if (remaining <= 2000) return; // too late to matter: the next 401 triggers a refresh
    this.armTimer(this.clock.now() + remaining / 2, accessToken);
  }

  private cancelTimer(): void {
    if (this.timerArmed) this.clock.clearTimeout(this.timer);
    this.timerArmed = false;
    this.timer = undefined;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Cross-tab

  private async onCrossTabMessage(message: CrossTabMessage): Promise<void> {
    const sequence = ++this.messagesReceived;
    await this.ready;
    if (this.disposed) return;
    if (message.type === 'tokens') {
      let next: TokenSet | null | undefined;
      if (this.storage.shared) {
        next = isTokenSet(message.tokens) ? await this.readStorageOnceItShows(message.tokens) : await this.readStorage();
      } else {
        next = isTokenSet(message.tokens) ? this.normalize(message.tokens) : null;
      }
      // A later message (e.g. a logout right after this refresh) was handled while we waited: it describes a newer
      // state, and adopting these tokens now would resurrect the session.
      if (sequence !== this.messagesReceived || this.disposed) return;
      if (!next || sameTokens(next, this.tokens)) return;
      this.adopt(next, 'other-tab', !this.storage.shared);
      return;
    }
    if (!this.tokens) return;
    if (message.reason === 'logout') {
      this.generation++;
      this.lastEndReason = 'logged-out';
      if (this.cookieMode) this.cookieSessionAbsent = true;
      this.tokens = null;
      this.cancelTimer();
      if (!this.storage.shared) this.persist(null);
      this.events.emit('tokensChanged', { tokens: null, source: 'logout' });
      this.events.emit('loggedOut', { origin: 'other-tab' });
    } else {
      this.endSession('other-tab', undefined, !this.storage.shared);
    }
  }

  /**
   * Reads the shared storage, giving this tab's view of it a moment to show `announced` (tokens another tab said it
   * stored). Browsers propagate localStorage writes to other tabs asynchronously and independently of
   * BroadcastChannel: Chromium now and then delivers the message first, and reading at once would miss the change.
   * The storage stays the source of truth: if it never shows `announced` (e.g. this tab wrote a newer pair), what it
   * holds after the wait is returned.
   */
  private async readStorageOnceItShows(announced: TokenSet): Promise<TokenSet | null | undefined> {
    const deadline = this.clock.now() + STORAGE_CATCH_UP_MS;
    for (;;) {
      await this.writeChain;
      const stored = await this.readStorage();
      if (stored === undefined || (stored && sameTokens(stored, announced))) return stored;
      if (this.disposed || this.clock.now() >= deadline) return stored;
      await new Promise<void>((resolve) => this.clock.setTimeout(resolve, STORAGE_POLL_MS));
    }
  }

  /** `storage` event fallback (no BroadcastChannel): mirror whatever the shared storage now holds. */
  private async onStorageChanged(): Promise<void> {
    await this.ready;
    if (this.disposed) return;
    await this.writeChain;
    const stored = await this.readStorage();
    if (stored === undefined || sameTokens(stored, this.tokens)) return;
    if (stored) this.adopt(stored, 'other-tab', false);
    else this.endSession('cleared-elsewhere', undefined, false);
  }
}

/** Creates an {@link AuthSession}. */
export function createAuthSession(options: AuthSessionOptions): AuthSession {
  return new AuthSession(options);
}

// -------------------------------------------------------------------------------------------------------------------
// helpers

async function resolveHeaders(provider: HeadersProvider | undefined): Promise<HeadersInit | undefined> {
  return typeof provider === 'function' ? provider() : provider;
}

/**
 * Lifetime in ms implied by an `expires_in` of whole seconds, assuming the earliest expiry it allows: the server
 * counted it from its own clock truncated to the second, so up to 1 s of it may already be gone when the response is
 * sent (a 2 s token issued at 10.9 s expires at 12 s). Fractional values are taken as exact.
 */
function earliestLifetimeMs(expiresInSeconds: number): number {
  return Number.isInteger(expiresInSeconds) ? (expiresInSeconds - 1) * 1000 : expiresInSeconds * 1000;
}

function positive(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`AuthSession: ${name} must be a positive number`);
  return value;
}

function nonNegative(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`AuthSession: ${name} must be >= 0`);
  return value;
}
