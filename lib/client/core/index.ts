/**
 * The lean client: a session that logs in, keeps the token pair in memory (or any {@link TokenStorage}), refreshes
 * it once at a time and before it expires, and authenticates `fetch` requests, with typed errors. The plugins
 * exported here cost bytes only when passed: `retryLostRefresh()` (the `refreshRetry` option) and `jwtClaimsExpiry()`
 * (the `jwtExpiry` option: expiry from JWT claims when answers carry no `expires_in`) and `replayableBodies()` (the
 * `replayBodies` option: replay of requests whose body is not a string). Everything else is
 * a separate import that costs bytes only when used: `nestjs-dual-token-auth/client/cross-tab` (the `crossTab`
 * plugin), `.../client/local-storage`, `.../client/axios` and `.../client/realtime`.
 * `nestjs-dual-token-auth/client` exports all of it at once, with cross-tab coordination on by default.
 */
export type { TokenResponseBody } from '../../interfaces/token-response.interface.js';
export type {
  AuthSessionEvents,
  LoggedOutEvent,
  RefreshedEvent,
  RefreshFailedEvent,
  RefreshTrigger,
  SessionEndedEvent,
  TokenChangeSource,
  TokensChangedEvent,
} from '../auth-session-events.interface.js';
export type { AuthSessionCoreOptions, HeadersProvider, LoginOptions } from '../auth-session-options.interface.js';
export { AuthSession, createAuthSession } from '../auth-session.js';
export type { AuthenticatedTransport } from '../authenticated-transport.interface.js';
export { systemClock, type Clock } from '../clock.js';
export {
  AuthClientError,
  LoginFailedError,
  RefreshFailedError,
  SessionEndedError,
  type RefreshFailureKind,
  type SessionEndReason,
} from '../errors.js';
export { createAuthFetch, type AuthFetchOptions, type BodyReplayPlugin, type RequestAttempts } from '../fetch-adapter.js';
export { decodeJwtPayload, readJwtTiming, type JwtTiming } from '../jwt-expiry.js';
export { jwtClaimsExpiry, type JwtExpiryPlugin } from '../jwt-expiry.plugin.js';
export {
  retryLostRefresh,
  type LostRefreshRetryOptions,
  type RefreshRetry,
  type RefreshRetryHost,
  type RefreshRetryPlugin,
} from '../lost-refresh-retry.plugin.js';
export type { FetchLike } from '../fetch-like.interface.js';
export type { CrossTabPlugin } from '../cross-tab-plugin.interface.js';
export { replayableBodies } from '../replayable-bodies.plugin.js';
export type { TokenResponseInput } from '../token-response.parser.js';
export { MemoryTokenStorage, type TokenSet, type TokenStorage } from '../token-storage.js';
