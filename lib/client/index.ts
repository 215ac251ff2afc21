/**
 * Client half of nestjs-dual-token-auth: a browser and Node session that logs in, keeps the access/refresh token
 * pair, refreshes it once at a time (per process and across tabs), and authenticates fetch or axios requests.
 * No dependency on Nest or axios; no module-level state.
 */
export {
  AuthSession,
  createAuthSession,
  type AuthSessionEvents,
  type AuthSessionOptions,
  type HeadersProvider,
  type LoggedOutEvent,
  type LoginOptions,
  type RefreshedEvent,
  type RefreshFailedEvent,
  type RefreshTrigger,
  type SessionEndedEvent,
  type TokenChangeSource,
  type TokenResponseBody,
  type TokensChangedEvent,
} from './auth-session.js';
export {
  AXIOS_STATE_KEY,
  installAxiosInterceptors,
  type AxiosLikeInstance,
  type AxiosLikeInterceptorManager,
  type AxiosLikeRequestConfig,
} from './axios-adapter.js';
export { systemClock, type Clock } from './clock.js';
export type { BroadcastChannelLike, CrossTabOptions, LockManagerLike } from './cross-tab-coordinator.js';
export {
  AuthClientError,
  LoginFailedError,
  RefreshFailedError,
  SessionEndedError,
  type RefreshFailureKind,
  type SessionEndReason,
} from './errors.js';
export { createAuthFetch, type FetchLike } from './fetch-adapter.js';
export { decodeJwtPayload, readJwtTiming, type JwtTiming } from './jwt-expiry.js';
export { ManualClock } from './manual-clock.js';
export {
  LocalStorageTokenStorage,
  MemoryTokenStorage,
  type LocalStorageTokenStorageOptions,
  type StorageLike,
  type TokenSet,
  type TokenStorage,
} from './token-storage.js';
