import type { Clock } from './clock.js';
import type { CrossTabPlugin } from './cross-tab-plugin.interface.js';
import type { BodyReplayPlugin } from './fetch-adapter.js';
import type { FetchLike } from './fetch-like.interface.js';
import type { JwtExpiryPlugin } from './jwt-expiry.plugin.js';
import type { RefreshRetryPlugin } from './lost-refresh-retry.plugin.js';
import type { HeadersProvider } from './session-config.interface.js';
import type { TokenStorage } from './token-storage.js';

export type { HeadersProvider } from './session-config.interface.js';

/**
 * Options of the lean {@link AuthSession} (`nestjs-dual-token-auth/client/core`). The `nestjs-dual-token-auth/client`
 * entry takes the same options, except that `crossTab` there also accepts `true`, `false` and an options object, that
 * it retries lost refresh answers by default (`refreshRetryWindowMs` instead of `refreshRetry`), and that it always
 * reads expiry from JWT claims (`jwtExpiry`) and replays any replayable request body (`replayBodies`).
 */
export interface AuthSessionCoreOptions {
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
   * a `RefreshFailedError` of kind `timeout` when it elapses, so nothing ever hangs on a dead network. Keep it well
   * below the server's `reuseGraceSeconds` (default 10 s): a refresh whose answer is lost may already have rotated the
   * pair, and only a retry that reaches the server within that grace gets the new pair instead of a revocation.
   * @default 5000
   */
  refreshTimeoutMs?: number;
  /**
   * Retries a refresh whose answer was lost (network error or timeout) while the server's reuse grace still forgives
   * the previous refresh token: `refreshRetry: retryLostRefresh()`. Without it, such a refresh is tried again only at
   * the next 401 or proactive time; if the server had rotated the pair and its grace (default 10 s) is over by then,
   * it takes the old token as stolen and revokes the session. Recommended in browsers on flaky networks.
   * `nestjs-dual-token-auth/client` wires it in by default.
   * @default none
   */
  refreshRetry?: RefreshRetryPlugin;
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
   * `jwtExpiry` plugin (the JWT claims, corrected for a skewed clock), when given. A whole-second `expires_in` is
   * counted from an issue time the server truncated to the second (JWT `iat`/`exp` are whole seconds), so the token
   * may expire up to 1 s earlier than `expires_in` says: the client assumes the earliest, otherwise tokens of a few
   * seconds would often be refreshed after they expired. Proactive refreshes start at most once per second, whatever
   * the tokens say. Tokens of unknown expiry (no `expires_in` and no `jwtExpiry`, opaque tokens), and JWTs that
   * already look expired on arrival, are refreshed only when the server answers 401.
   * @default true
   */
  proactiveRefresh?: boolean;
  /**
   * Reads expiry from the JWT claims when the token answer has no `expires_in` / `refresh_expires_in`, and for token
   * pairs given without expiry times (`setTokens`, a storage written by an older version): `jwtExpiry:
   * jwtClaimsExpiry()`, which also corrects `exp` for a client clock that disagrees with the token's `iat` by more
   * than 2 s. Without it such tokens have no known expiry: no proactive refresh, only the refresh at a 401.
   * `nestjs-dual-token-auth/client` wires it in by default. The nestjs-dual-token-auth server always sends
   * `expires_in` and `refresh_expires_in`.
   * @default none
   */
  jwtExpiry?: JwtExpiryPlugin;
  /**
   * Origins (`https://api.example.com`) to which `Authorization` is attached by `session.fetch` and the axios
   * interceptors. Requests to any other origin are passed through untouched, so tokens never leak to third parties.
   * @default [origin of baseUrl]
   */
  allowedOrigins?: readonly string[];
  /**
   * Lets `session.fetch` replay, after a refresh, requests with any body fetch can send twice (URLSearchParams,
   * FormData, Blob, buffers, `Request` objects with a body), copied when the call is made: `replayBodies:
   * replayableBodies()`. Without it only requests without a body or with a string body are replayed; the others are
   * sent once and their 401 is returned after the refresh. `nestjs-dual-token-auth/client` wires it in by default.
   * @default none
   */
  replayBodies?: BodyReplayPlugin;
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
   * Cross-tab coordination (one refresh at a time across tabs, new tokens and logout relayed to other tabs), as a
   * plugin: `crossTab: crossTabSync()` from `nestjs-dual-token-auth/client/cross-tab`. Give it to every session whose
   * storage other tabs share (LocalStorageTokenStorage).
   * @default none: the session keeps to itself (right for memory storage and for Node)
   */
  crossTab?: CrossTabPlugin;
}

/** Options of {@link AuthSession.login}. */
export interface LoginOptions {
  /** Aborts the login call; the promise then rejects with the signal's reason (an `AbortError`). */
  signal?: AbortSignal;
  /** Extra JSON fields sent along with username and password (e.g. a captcha token). */
  extraBody?: Record<string, unknown>;
}
