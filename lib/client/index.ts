/**
 * Client half of nestjs-dual-token-auth: a browser and Node session that logs in, keeps the access/refresh token
 * pair, refreshes it once at a time (per process and across tabs), and authenticates fetch or axios requests.
 * No dependency on Nest or axios; no module-level state. Test doubles live in `nestjs-dual-token-auth/client/testing`.
 *
 * Everything in one import, with cross-tab coordination wired into `createAuthSession` as it always was. For the
 * smallest bundle use the lean entry `nestjs-dual-token-auth/client/core` and add the parts you use from
 * `.../client/cross-tab`, `.../client/local-storage`, `.../client/axios` and `.../client/realtime`.
 */
// Everything the lean entry exports; the explicit exports below replace its `AuthSession`, `createAuthSession` and
// `createAuthFetch` (an explicit export wins over `export *`) and add the optional parts.
export * from './core/index.js';
export {
  AuthSessionWithCrossTab as AuthSession,
  createAuthSessionWithCrossTab as createAuthSession,
  type AuthSessionOptions,
} from './auth-session-with-cross-tab.js';
export { createAuthFetchWithReplay as createAuthFetch } from './auth-fetch-with-replay.js';
export * from './axios/index.js';
// Named, not `export *`: the cross-tab entry also exports the CrossTabPlugin type, which the lean entry already does.
export { crossTabSync, type BroadcastChannelLike, type CrossTabOptions, type LockManagerLike } from './cross-tab/index.js';
export * from './local-storage/index.js';
export * from './realtime/index.js';
