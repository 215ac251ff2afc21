import type { AuthSessionEvents, SessionEndedEvent, TokenChangeSource } from './auth-session-events.interface.js';
import { SessionEndedError, type SessionEndReason } from './errors.js';
import type { SessionConfig } from './session-config.interface.js';
import type { SessionSync } from './session-sync.interface.js';
import { normalizeTokens } from './token-response.parser.js';
import { isTokenSet, type TokenSet } from './token-storage.js';
import { TypedEventEmitter } from './typed-event-emitter.js';

/**
 * The session's one source of truth in this tab: the current pair, where it came from, the generation counter that
 * makes stale refresh results harmless, and the ordered writes to the token storage. Every transition emits the
 * public events, so listeners see exactly the changes the state went through.
 */
export class SessionState {
  readonly events = new TypedEventEmitter<AuthSessionEvents>();
  tokens: TokenSet | null = null;
  /** Bumped when the session is replaced (login, setTokens, logout, end): stale refresh results are discarded. */
  generation = 0;
  /** Why (and with which HTTP status) the last session ended: what a request arriving after the end is told. */
  #endReason: SessionEndReason = 'logged-out';
  #endStatus: number | undefined;
  /** Cookie mode only: the server said there is no refresh cookie; don't try again until the next login. */
  cookieSessionAbsent = false;
  /** Number of successful refresh calls made by this session. */
  refreshes = 0;
  disposed = false;
  /** Set once by the session when a cross-tab plugin is installed. */
  sync: SessionSync | undefined;
  /**
   * False after this tab's latest storage write failed: the storage then does not hold this tab's state, and what it
   * holds says nothing about other tabs.
   */
  storageInStep = true;
  // Members only this class uses are `#private`: a consumer's bundler shortens their names, not those of other members.
  /** Storage writes are chained so a re-read never observes a write that is still in progress. */
  #writeChain: Promise<void> = Promise.resolve();
  /** Where tokens are kept and how they are read (storage, cookie mode, the `jwtExpiry` plugin). */
  readonly #config: SessionConfig;
  /** Called after every change of the current tokens (e.g. to re-arm the proactive refresh). */
  readonly #onTokensChanged: (tokens: TokenSet | null, source: TokenChangeSource) => void;

  constructor(config: SessionConfig, onTokensChanged: (tokens: TokenSet | null, source: TokenChangeSource) => void) {
    this.#config = config;
    this.#onTokensChanged = onTokensChanged;
  }

  /** Whether the refresh token lives in an HttpOnly cookie (never in the token pair). */
  get cookieMode(): boolean {
    return this.#config.cookieMode;
  }

  /** Resolves once every storage write queued so far is done (a cross-tab plugin announces changes after it). */
  settled(): Promise<void> {
    return this.#writeChain;
  }

  /** Loads the stored pair at start-up. */
  async restore(): Promise<void> {
    const stored = await this.readStorage();
    if (stored && !this.disposed) this.#change(stored, 'restored');
  }

  /** Starts a new session here (login, setTokens): refreshes of the previous pair can no longer apply. */
  replace(tokens: TokenSet, source: 'login' | 'set'): void {
    this.setCurrent(tokens, source, true);
    this.sync?.publish({ type: 'tokens', tokens });
  }

  /**
   * Makes `tokens` the current pair and tells the listeners. `leave` when they are not a refresh of the current pair
   * (a login here or in another tab): a refresh of the old pair still in flight must then not overwrite them.
   * `persist` false for tokens someone else already wrote to the shared storage.
   */
  setCurrent(tokens: TokenSet, source: TokenChangeSource, leave: boolean, persist = true): void {
    if (leave) this.#leave();
    this.cookieSessionAbsent = false;
    if (persist) this.persist(tokens);
    this.#change(tokens, source);
  }

  /**
   * Clears the pair because the user logged out, here or in another tab (`clearStorage` false when the shared
   * storage was cleared by the tab that logged out). Returns the pair that was current.
   */
  logOut(origin: 'this-tab' | 'other-tab', clearStorage: boolean): TokenSet | null {
    const previous = this.#clear('logout', 'logged-out', clearStorage);
    this.events.emit('loggedOut', { origin });
    if (origin === 'this-tab') this.sync?.publish({ type: 'cleared', reason: 'logout', tokens: previous });
    return previous;
  }

  /** `setTokens(null)`: clears without `loggedOut`/`sessionEnded`; other tabs are told as for a logout. */
  clearBySetTokens(): void {
    this.sync?.publish({ type: 'cleared', reason: 'logout', tokens: this.#clear('set', undefined, true) });
  }

  /**
   * Ends the session involuntarily: clears tokens, fires `tokensChanged` + `sessionEnded` once (only if there was a
   * session), tells other tabs. Returns the error to reject waiters with.
   */
  end(reason: SessionEndReason, status?: number, clearStorage = true): SessionEndedError {
    const previous = this.#clear('ended', reason, clearStorage);
    this.#endStatus = status;
    const error = this.endedError();
    if (previous) {
      const payload: SessionEndedEvent = status === undefined ? { reason, error } : { reason, status, error };
      this.events.emit('sessionEnded', payload);
      this.events.emit('ended', payload);
      if (clearStorage) this.sync?.publish({ type: 'cleared', reason: 'ended', tokens: previous });
    }
    return error;
  }

  /** The current pair, or the error of the session's end. */
  currentOrEnded(): TokenSet {
    if (this.tokens) return this.tokens;
    throw this.endedError();
  }

  /** The error of the last session's end, for every request that meets it (the same reason and status for all). */
  endedError(): SessionEndedError {
    return new SessionEndedError(this.#endReason, { status: this.#endStatus });
  }

  /** Queues the write of `tokens` to the storage (null clears it); writes happen one after another, in order. */
  persist(tokens: TokenSet | null): void {
    const storage = this.#config.storage;
    this.#writeChain = this.#writeChain
      .then(async () => {
        await (tokens ? storage.set(tokens) : storage.clear());
        this.storageInStep = true;
      })
      .catch((error: unknown) => {
        this.storageInStep = false;
        console.error('[dual-token-auth] token storage write failed', error);
      });
  }

  /** Storage read that never throws: `undefined` means "could not read", `null` means "empty". */
  async readStorage(): Promise<TokenSet | null | undefined> {
    try {
      const value = await this.#config.storage.get();
      return isTokenSet(value) ? this.normalize(value) : null;
    } catch {
      return undefined;
    }
  }

  normalize(tokens: TokenSet): TokenSet {
    return normalizeTokens(tokens, this.#config);
  }

  /** Sets the current pair and tells the listeners. */
  #change(tokens: TokenSet | null, source: TokenChangeSource): void {
    const had = this.tokens !== null;
    this.tokens = tokens;
    this.#onTokensChanged(tokens, source);
    if (tokens || had) this.events.emit('tokensChanged', { tokens: tokens && { ...tokens }, source });
  }

  /** Leaves the current pair: refreshes of it that finish later (here or in another tab) no longer apply. */
  #leave(): TokenSet | null {
    const previous = this.tokens;
    this.generation++;
    if (previous) this.sync?.retire(previous);
    return previous;
  }

  /** Leaves and clears the pair (logout, end, `setTokens(null)`); `reason` undefined keeps the last end reason. */
  #clear(source: TokenChangeSource, reason: SessionEndReason | undefined, clearStorage: boolean): TokenSet | null {
    const previous = this.#leave();
    if (reason) {
      this.#endReason = reason;
      this.#endStatus = undefined;
      if (this.cookieMode) this.cookieSessionAbsent = true;
    }
    if (clearStorage) this.persist(null);
    this.#change(null, source);
    return previous;
  }
}
