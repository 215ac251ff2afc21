/**
 * Client half of nestjs-dual-token-auth: a browser and Node session that logs in, keeps the access/refresh token
 * pair, refreshes it once at a time (per process and across tabs), and authenticates fetch or axios requests.
 * No dependency on Nest or axios; no module-level state. Test doubles live in `nestjs-dual-token-auth/client/testing`.
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
export type { AuthSessionOptions, HeadersProvider, LoginOptions } from './auth-session-options.interface.js';
export { AuthSession, createAuthSession } from './auth-session.js';
export type { AuthenticatedTransport } from './authenticated-transport.interface.js';
export {
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
export { createAuthFetch } from './fetch-adapter.js';
export type { FetchLike } from './fetch-like.interface.js';
export { decodeJwtPayload, readJwtTiming, type JwtTiming } from './jwt-expiry.js';
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
