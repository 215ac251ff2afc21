/**
 * Client half of nestjs-dual-token-auth: a browser and Node session that logs in, keeps the access/refresh token
 * pair, refreshes it once at a time (per process and across tabs), and authenticates fetch or axios requests.
 * No dependency on Nest or axios; no module-level state. Test doubles live in `nestjs-dual-token-auth/client/testing`.
 *
 * Everything in one import, with cross-tab coordination wired into `createAuthSession` as it always was. For the
 * smallest bundle use the lean entry `nestjs-dual-token-auth/client/core` and add the parts you use from
 * `.../client/cross-tab`, `.../client/local-storage`, `.../client/axios` and `.../client/realtime`.
 */
export type { TokenResponseBody } from '../interfaces/token-response.interface.js';
export type {
  AuthSessionEvents,
  LoggedOutEvent,
  RefreshedEvent,
  RefreshFailedEvent,
  RefreshTrigger,
  SessionEndedEvent,
  TokenChangeSource,
  TokensChangedEvent,
} from './auth-session-events.interface.js';
export type { AuthSessionCoreOptions, HeadersProvider, LoginOptions } from './auth-session-options.interface.js';
export {
  AuthSessionWithCrossTab as AuthSession,
  createAuthSessionWithCrossTab as createAuthSession,
  type AuthSessionOptions,
} from './auth-session-with-cross-tab.js';
export type { AuthenticatedTransport } from './authenticated-transport.interface.js';
export {
  installAxiosInterceptors,
  type AxiosLikeInstance,
  type AxiosLikeInterceptorManager,
  type AxiosLikeRequestConfig,
} from './axios-adapter.js';
export { systemClock, type Clock } from './clock.js';
export type { BroadcastChannelLike, CrossTabOptions, LockManagerLike } from './cross-tab-coordinator.js';
export { crossTabSync } from './cross-tab.plugin.js';
export type { CrossTabPlugin } from './cross-tab-plugin.interface.js';
export {
  AuthClientError,
  LoginFailedError,
  RefreshFailedError,
  SessionEndedError,
  type RefreshFailureKind,
  type SessionEndReason,
} from './errors.js';
export { createAuthFetchWithReplay as createAuthFetch } from './auth-fetch-with-replay.js';
export type { AuthFetchOptions, BodyReplayPlugin, RequestAttempts } from './fetch-adapter.js';
export type { FetchLike } from './fetch-like.interface.js';
export { decodeJwtPayload, readJwtTiming, type JwtTiming } from './jwt-expiry.js';
export { jwtClaimsExpiry, type JwtExpiryPlugin } from './jwt-expiry.plugin.js';
export {
  retryLostRefresh,
  type LostRefreshRetryOptions,
  type RefreshRetry,
  type RefreshRetryHost,
  type RefreshRetryPlugin,
} from './lost-refresh-retry.plugin.js';
export { replayableBodies } from './replayable-bodies.plugin.js';
export type { TokenResponseInput } from './token-response.parser.js';
export {
  LocalStorageTokenStorage,
  MemoryTokenStorage,
  type LocalStorageTokenStorageOptions,
  type StorageLike,
  type TokenSet,
  type TokenStorage,
} from './token-storage.js';
export { bindSocketIoAuth, graphqlWsAuth, type GraphqlWsAuth, type SocketIoClientLike, type WebSocketLike } from './realtime-auth.js';
