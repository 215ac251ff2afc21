// nestjs-dual-token-auth/testing: tokens and a fake guard for consumers' tests; a conformance kit for SessionStore authors.
export { describeSessionStoreConformance, type ConformanceTestApi } from './session-store-conformance.js';
export { createTestSession, signTestAccessToken, type TestAccessTokenOptions } from './test-tokens.js';
export { fakeAccessTokenGuard, testAccessTokenPayload } from './fake-access-token.guard.js';
