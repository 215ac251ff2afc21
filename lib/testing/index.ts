// nestjs-dual-token-auth/testing: tools for people who write their own SessionStore.
export { describeSessionStoreConformance, type ConformanceTestApi } from './session-store-conformance.js';
