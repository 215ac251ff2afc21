/**
 * Cross-tab coordination for the lean client (`nestjs-dual-token-auth/client/core`):
 * `createAuthSession({ ..., crossTab: crossTabSync() })`. One refresh at a time across tabs, tokens and logouts
 * relayed between them.
 */
export type { BroadcastChannelLike, CrossTabOptions, LockManagerLike } from '../cross-tab-coordinator.js';
export { crossTabSync } from '../cross-tab.plugin.js';
export type { CrossTabPlugin } from '../cross-tab-plugin.interface.js';
