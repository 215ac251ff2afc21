/**
 * Token storage in `localStorage` or `sessionStorage`, for the lean client (`nestjs-dual-token-auth/client/core`).
 * Tabs sharing `localStorage` share one session: give the session `crossTab: crossTabSync()` as well.
 */
export {
  LocalStorageTokenStorage,
  type LocalStorageTokenStorageOptions,
  type StorageLike,
} from '../token-storage.js';
