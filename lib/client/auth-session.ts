import { loginCall, logoutCall } from './auth-endpoints.client.js';
import type { AuthSessionEvents } from './auth-session-events.interface.js';
import type { AuthSessionCoreOptions, LoginOptions } from './auth-session-options.interface.js';
import type { AuthenticatedTransport } from './authenticated-transport.interface.js';
import { abortReason } from './errors.js';
import { createAuthFetch } from './fetch-adapter.js';
import type { FetchLike } from './fetch-like.interface.js';
import { createProactiveRefreshScheduler, type ProactiveRefreshScheduler } from './proactive-refresh.scheduler.js';
import { raceAbort } from './promise-utils.js';
import { createRefreshSingleFlight, type RefreshSingleFlight } from './refresh-single-flight.js';
import { resolveSessionConfig } from './resolve-session-config.js';
import type { SessionConfig } from './session-config.interface.js';
import { SessionState } from './session-state.js';
import { parseTokenResponse, type TokenResponseInput } from './token-response.parser.js';
import { isTokenSet, type TokenSet } from './token-storage.js';
import { documentUrl, resolveUrl, withoutQuery } from './url-utils.js';

/**
 * One authenticated session: owns the token pair, refreshes it (single-flight, proactive, across tabs when given the
 * cross-tab plugin) and exposes a fetch wrapper. Create it with {@link createAuthSession}. All state lives in the
 * instance.
 *
 * The session wires its parts together: the options resolved once ({@link resolveSessionConfig}), the state and its
 * storage ({@link SessionState}), the auth endpoint calls, the single-flight refresh, the proactive scheduler and
 * the optional plugins (cross-tab, retry of lost refresh answers). Adapters see it only as an {@link AuthenticatedTransport}.
 */
export class AuthSession implements AuthenticatedTransport {
  /**
   * `fetch` that attaches `Authorization: Bearer` for allowed origins and replays once after a refresh; relative URLs
   * are resolved against `baseUrl`. Same as `createAuthFetch(session, undefined, { baseUrl, replayBodies })`.
   */
  declare readonly fetch: FetchLike;
  /** Plain fetch used for the auth endpoints (never intercepted, so a refresh can never trigger a refresh). */
  declare readonly rawFetch: FetchLike;
  /** Resolves once tokens were loaded from storage. Methods wait for it themselves; await it to read state early. */
  declare readonly ready: Promise<void>;
  /** Resolved login endpoint. */
  declare readonly loginUrl: string;
  /** Resolved refresh endpoint. */
  declare readonly refreshUrl: string;
  /** Resolved logout endpoint. */
  declare readonly logoutUrl: string;

  // Public fields are `declare`d: assigned in the constructor, they need no class field of their own (fewer shipped
  // bytes). `#private` members: a consumer's minifier shortens their names (it cannot do that for ordinary members).
  readonly #config: SessionConfig;
  readonly #state: SessionState;
  readonly #refresher: RefreshSingleFlight;
  readonly #scheduler: ProactiveRefreshScheduler;

  constructor(options: AuthSessionCoreOptions) {
    const config = resolveSessionConfig(options);
    this.#config = config;
    this.loginUrl = config.loginUrl;
    this.refreshUrl = config.refreshUrl;
    this.logoutUrl = config.logoutUrl;
    this.rawFetch = config.rawFetch;

    const state = new SessionState(config, (tokens, source) => this.#scheduler(tokens, source));
    this.#state = state;
    state.sync = options.crossTab?.({ config, state, ready: () => this.ready });
    const refresher = createRefreshSingleFlight(config, state, options.refreshRetry);
    this.#refresher = refresher;
    this.#scheduler = createProactiveRefreshScheduler(config, state, refresher.run);

    // Relative URLs go to the API (baseUrl), for the request and the origin check alike, in Node and in browsers.
    this.fetch = createAuthFetch(this, undefined, { baseUrl: config.absoluteBase, replayBodies: options.replayBodies });
    this.ready = state.restore();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Public state

  /** True while the session holds an access token. In cookie mode a refresh cookie may exist even when false. */
  get isAuthenticated(): boolean {
    return this.#state.tokens !== null;
  }

  /** Number of successful refresh calls this session made (adopting another tab's tokens does not count). */
  get refreshCount(): number {
    return this.#state.refreshes;
  }

  /** The current access token (after storage was loaded), without refreshing; null when not authenticated. */
  async getAccessToken(): Promise<string | null> {
    await this.ready;
    return this.#state.tokens?.accessToken ?? null;
  }

  /** A copy of the current token pair with expiry metadata, or null. */
  async getTokens(): Promise<TokenSet | null> {
    await this.ready;
    const { tokens } = this.#state;
    return tokens && { ...tokens };
  }

  /**
   * Subscribes to an event; returns an unsubscribe function. `ended` is an alias of `sessionEnded`.
   */
  on<K extends keyof AuthSessionEvents>(event: K, listener: (payload: AuthSessionEvents[K]) => void): () => void {
    return this.#state.events.on(event, listener);
  }

  /** Removes a listener added with {@link on}. */
  off<K extends keyof AuthSessionEvents>(event: K, listener: (payload: AuthSessionEvents[K]) => void): void {
    this.#state.events.off(event, listener);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Login / logout / set

  /**
   * Posts `{ username, password }` to the login endpoint and stores the returned tokens.
   * @throws LoginFailedError on a non-2xx answer (`status` 401 for wrong credentials), network error or timeout.
   */
  async login(username: string, password: string, options: LoginOptions = {}): Promise<TokenSet> {
    await this.ready;
    if (options.signal?.aborted) throw abortReason(options.signal);
    const tokens = await loginCall(this.#config, username, password, options);
    this.#state.replace(tokens, 'login');
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
    const previous = this.#state.logOut('this-tab', true);
    // Without a token or cookie the server cannot tell which session to revoke.
    if (!previous && !this.#config.cookieMode) return;
    await logoutCall(this.#config, previous);
  }

  /**
   * Replaces the tokens (e.g. received from a server-rendered page or another login flow). Accepts a
   * {@link TokenSet} or the server's token response body. `null` clears them without calling the server and without
   * `loggedOut`/`sessionEnded` here (only `tokensChanged`); other tabs are told as for a logout.
   */
  async setTokens(tokens: TokenSet | TokenResponseInput | null): Promise<void> {
    await this.ready;
    const state = this.#state;
    if (tokens === null) return state.clearBySetTokens();
    const normalized = isTokenSet(tokens) ? state.normalize(tokens) : parseTokenResponse(tokens, this.#config, this.#config.clock.now());
    if (!normalized) throw new TypeError('setTokens: an accessToken / access_token string is required');
    state.replace(normalized, 'set');
  }

  /**
   * Refreshes now (joining a refresh already in flight). Useful on page load in cookie mode, where the access token
   * is not persisted: `await session.refresh()` turns the refresh cookie into an access token.
   * @throws SessionEndedError when the server rejects the refresh token (or there is none to send).
   * @throws RefreshFailedError on network errors, timeouts and 5xx; tokens are kept.
   */
  async refresh(): Promise<TokenSet> {
    await this.ready;
    return { ...(await this.#refresher.run('manual')) };
  }

  /** Stops the proactive timer, cross-tab listeners and event listeners. The session must not be used afterwards. */
  dispose(): void {
    const state = this.#state;
    state.disposed = true;
    this.#scheduler(null, 'logout'); // cancels the timer; nothing is armed any more
    this.#refresher.retry?.dispose();
    state.sync?.close();
    state.events.clear();
  }

  // ---------------------------------------------------------------------------------------------------------------
  // AuthenticatedTransport (used by session.fetch and the axios interceptors; usable for custom adapters)

  /**
   * Whether a request to `url` should carry the access token: its origin is allowed and it is not the login or
   * refresh endpoint (the refresh call must never be intercepted). `url` is resolved exactly as fetch resolves it:
   * with the WHATWG URL parser against the document's base URL in a browser (so `//host`, `\\host`, `/\host` and
   * leading whitespace mean what the browser makes of them), and not at all elsewhere, where a relative URL cannot be
   * requested and therefore never gets the token.
   */
  shouldAuthorize(url: string): boolean {
    const resolved = resolveUrl(url, documentUrl());
    return !!resolved && this.#config.allowedOrigins.includes(resolved.origin) && !this.#config.authEndpoints.includes(withoutQuery(resolved));
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
    await raceAbort(this.ready, signal); // rejects at once when the signal has already aborted
    const state = this.#state;
    const current = state.tokens?.accessToken ?? null;
    if (current !== null && current !== sentWithToken) return current;
    if (current === null) {
      // The request carried a token but the session is gone by now: same outcome as for the refresh's waiters.
      if (sentWithToken !== null) throw state.endedError();
      if (!state.cookieMode || state.cookieSessionAbsent) return null;
    }
    return (await raceAbort(this.#refresher.run('unauthorized'), signal)).accessToken;
  }
}

/** Creates an {@link AuthSession}. */
export function createAuthSession(options: AuthSessionCoreOptions): AuthSession {
  return new AuthSession(options);
}
