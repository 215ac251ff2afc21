/**
 * Test doubles for code that uses `nestjs-dual-token-auth/client`: a clock driven by hand, a scripted auth server
 * behind a fake fetch, and in-process Web Locks / BroadcastChannel. Kept out of the client entry so production
 * bundles never carry them.
 */
export { ManualClock } from './manual-clock.js';
export {
  deferred,
  FakeAuthServer,
  FakeChannelHub,
  FakeLockManager,
  flush,
  makeJwt,
  type Deferred,
  type FakeAuthServerOptions,
  type RecordedRequest,
  type RefreshBehavior,
} from './fakes.js';
