import type { AuthSessionEvents, SessionEndedEvent, TokenChangeSource } from './auth-session-events.interface.js';
import type { CrossTabPayload } from './cross-tab-coordinator.js';
import { SessionEndedError, type SessionEndReason } from './errors.js';
import { normalizeTokens } from './token-response.parser.js';
import { isTokenSet, sameTokens, type TokenSet, type TokenStorage } from './token-storage.js';
import { TypedEventEmitter } from './typed-event-emitter.js';

/** What the state needs from the rest of the session. */
export interface SessionStateDeps {
  readonly storage: TokenStorage;
  readonly cookieMode: boolean;
  /** Tells the other tabs (no-op without cross-tab sync). */
  readonly publish: (message: CrossTabPayload) => void;
  /** Called after every change of the current tokens (e.g. to re-arm the proactive refresh). */
  readonly onTokensChanged: (tokens: TokenSet | null, source: TokenChangeSource) => void;
}

/**
 * The session's one source of truth in this tab: the current pair, where it came from, the generation counter that
 * makes stale refresh results harmless, and the ordered writes to the token storage. Every transition emits the
 * public events, so listeners see exactly the changes the state went through.
 */
export class SessionState {
  readonly events = new TypedEventEmitter<AuthSessionEvents>();
  tokens: TokenSet | null = null;
  source: TokenChangeSource = 'restored';
  /** Bumped when the session is replaced (login, setTokens, logout, end): stale refresh results are discarded. */
  generation = 0;
  lastEndReason: SessionEndReason = 'logged-out';
  /** Cookie mode only: the server said there is no refresh cookie; don't try again until the next login. */
  cookieSessionAbsent = false;
  /** Number of successful refresh calls made by this session. */
  refreshes = 0;
  disposed = false;
  /** Storage writes are chained so a re-read never observes a write that is still in progress. */
  private writeChain: Promise<void> = Promise.resolve();
  /**
   * The last pairs this tab replaced or dropped (login, setTokens, logout, end, adopting another session). Another
   * tab's refresh that started from one of them finished too late: its result belongs to a session this tab left.
   */
  private readonly retired: TokenSet[] = [];
  /** Outcome of the latest storage write (set inside the write chain, so announcements see their own write's). */
  private lastWriteSucceeded = true;

  constructor(private readonly deps: SessionStateDeps) {}

  get cookieMode(): boolean {
    return this.deps.cookieMode;
  }

  get storageShared(): boolean {
    return this.deps.storage.shared === true;
  }

  /** The storage is explicitly per tab (e.g. sessionStorage): other tabs hold other sessions. */
  get storagePerTab(): boolean {
    return this.deps.storage.shared === false;
  }

  /** True when `tokens` is a pair this tab has left (see {@link retired}). */
  isRetired(tokens: TokenSet): boolean {
    return this.retired.some((pair) => sameTokens(pair, tokens));
  }

  /**
   * False after this tab's latest storage write failed: the storage then does not hold this tab's state, and what it
   * holds says nothing about other tabs.
   */
  get storageInStep(): boolean {
    return this.lastWriteSucceeded;
  }

  /** Resolves once every storage write (and announcement) queued so far is done. */
  settled(): Promise<void> {
    return this.writeChain;
  }

  /** Loads the stored pair at start-up. */
  async restore(): Promise<void> {
    const stored = await this.readStorage();
    if (!stored || this.disposed) return;
    this.tokens = stored;
    this.source = 'restored';
    this.deps.onTokensChanged(stored, 'restored');
    this.events.emit('tokensChanged', { tokens: { ...stored }, source: 'restored' });
  }

  /** Starts a new session here (login, setTokens): refreshes of the previous pair can no longer apply. */
  replace(tokens: TokenSet, source: 'login' | 'set'): void {
    this.generation++;
    this.retire(this.tokens);
    this.cookieSessionAbsent = false;
    this.apply(tokens, source);
  }

  /**
   * Sets tokens obtained here, persists them, notifies listeners and other tabs. `from` is the pair a refresh
   * started from: other tabs apply the result only if they still belong to that session.
   */
  apply(tokens: TokenSet, source: TokenChangeSource, from?: TokenSet | null): void {
    this.tokens = tokens;
    this.source = source;
    this.persist(tokens);
    this.deps.onTokensChanged(tokens, source);
    this.events.emit('tokensChanged', { tokens: { ...tokens }, source });
    this.announce(from ? { type: 'tokens', tokens: { ...tokens }, from: pairOf(from) } : { type: 'tokens', tokens: { ...tokens } });
  }

  /**
   * Takes tokens written by someone else; `persist` only for per-tab storage receiving them by message.
   * `replacesSession` when they are not a refresh of this tab's pair (another tab logged in): a refresh of the old
   * pair still in flight here must then not overwrite them.
   */
  adopt(tokens: TokenSet, source: TokenChangeSource, persist: boolean, replacesSession = true): void {
    if (replacesSession) {
      this.generation++;
      this.retire(this.tokens);
    }
    this.tokens = this.normalize(tokens);
    this.source = source;
    this.cookieSessionAbsent = false;
    if (persist) this.persist(this.tokens);
    this.deps.onTokensChanged(this.tokens, source);
    this.events.emit('tokensChanged', { tokens: { ...this.tokens }, source });
  }

  /**
   * Clears the pair because the user logged out, here or in another tab (`clearStorage` false when the shared
   * storage was cleared by the tab that logged out). Returns the pair that was current.
   */
  logOut(origin: 'this-tab' | 'other-tab', clearStorage: boolean): TokenSet | null {
    const previous = this.tokens;
    this.generation++;
    this.retire(previous);
    this.lastEndReason = 'logged-out';
    if (this.cookieMode) this.cookieSessionAbsent = true;
    this.tokens = null;
    this.deps.onTokensChanged(null, 'logout');
    if (clearStorage) this.persist(null);
    if (previous) this.events.emit('tokensChanged', { tokens: null, source: 'logout' });
    this.events.emit('loggedOut', { origin });
    if (origin === 'this-tab') this.announce(clearedMessage('logout', previous));
    return previous;
  }

  /** `setTokens(null)`: clears without `loggedOut`/`sessionEnded`; other tabs are told as for a logout. */
  clearBySetTokens(): void {
    const previous = this.tokens;
    const had = previous !== null;
    this.generation++;
    this.retire(previous);
    this.tokens = null;
    this.deps.onTokensChanged(null, 'set');
    this.persist(null);
    if (had) this.events.emit('tokensChanged', { tokens: null, source: 'set' });
    this.announce(clearedMessage('logout', previous));
  }

  /**
   * Ends the session involuntarily: clears tokens, fires `tokensChanged` + `sessionEnded` once (only if there was a
   * session), tells other tabs. Returns the error to reject waiters with.
   */
  end(reason: SessionEndReason, status?: number, clearStorage = true): SessionEndedError {
    const error = new SessionEndedError(reason, status === undefined ? {} : { status });
    const previous = this.tokens;
    const had = previous !== null;
    this.generation++;
    this.retire(previous);
    this.lastEndReason = reason;
    if (this.cookieMode) this.cookieSessionAbsent = true;
    this.tokens = null;
    this.deps.onTokensChanged(null, 'ended');
    if (clearStorage) this.persist(null);
    if (had) {
      this.events.emit('tokensChanged', { tokens: null, source: 'ended' });
      const payload: SessionEndedEvent = status === undefined ? { reason, error } : { reason, status, error };
      this.events.emit('sessionEnded', payload);
      this.events.emit('ended', payload);
      if (clearStorage) this.announce(clearedMessage('ended', previous));
    }
    return error;
  }

  /** The current pair, or the error of the session's end. */
  currentOrEnded(): TokenSet {
    if (this.tokens) return this.tokens;
    throw new SessionEndedError(this.lastEndReason);
  }

  /**
   * Tells the other tabs, once this tab's pending storage writes are done, so a message never announces tokens the
   * storage does not hold yet (and messages keep the order of the writes).
   */
  announce(message: CrossTabPayload): void {
    this.writeChain = this.writeChain.then(() => {
      // Tokens the storage failed to keep (quota, disabled storage) are this tab's alone: announcing them would make
      // other tabs look for them in a storage that does not hold them, or copy a pair this tab cannot persist.
      if (message.type === 'tokens' && !this.lastWriteSucceeded) return;
      this.deps.publish(message);
    });
  }

  persist(tokens: TokenSet | null): void {
    const storage = this.deps.storage;
    const write = async (): Promise<void> => {
      if (tokens) await storage.set(tokens);
      else await storage.clear();
      this.lastWriteSucceeded = true;
    };
    this.writeChain = this.writeChain.then(write).catch((error: unknown) => {
      this.lastWriteSucceeded = false;
      console.error('[dual-token-auth] token storage write failed', error);
    });
  }

  /** Storage read that never throws: `undefined` means "could not read", `null` means "empty". */
  async readStorage(): Promise<TokenSet | null | undefined> {
    try {
      const value = await this.deps.storage.get();
      return value && isTokenSet(value) ? this.normalize(value) : null;
    } catch {
      return undefined;
    }
  }

  normalize(tokens: TokenSet): TokenSet {
    return normalizeTokens(tokens, this.cookieMode);
  }

  private retire(tokens: TokenSet | null): void {
    if (!tokens) return;
    this.retired.push(pairOf(tokens));
    if (this.retired.length > MAX_RETIRED) this.retired.shift();
  }
}

/** How many left pairs a tab remembers; refreshes of older ones were answered long ago. */
const MAX_RETIRED = 8;

/** Only what identifies a pair, for messages. */
function pairOf(tokens: TokenSet): TokenSet {
  return tokens.refreshToken === undefined
    ? { accessToken: tokens.accessToken }
    : { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken };
}

function clearedMessage(reason: 'logout' | 'ended', previous: TokenSet | null): CrossTabPayload {
  return previous ? { type: 'cleared', reason, tokens: pairOf(previous) } : { type: 'cleared', reason };
}
