import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { UnauthorizedException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ACCESS_TOKEN_TYPE, type AccessTokenClaims, type AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { requestOf } from '../platform/execution-context-request.js';

/**
 * A complete access-token payload from a few claims, for calling a controller method directly in a unit test
 * (`controller.me(testAccessTokenPayload({ userId: 1, username: 'alice' }))`). Times are now; `sid` is random.
 */
export function testAccessTokenPayload(claims: AccessTokenClaims, overrides: Partial<AccessTokenPayload> = {}): AccessTokenPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    ...claims,
    sub: String(claims.userId),
    sid: randomUUID(),
    token_type: ACCESS_TOKEN_TYPE,
    iat: now,
    exp: now + 1800,
    auth_time: now,
    ...overrides,
  };
}

/**
 * A stand-in for `AccessTokenGuard` in unit and integration tests that need no tokens: every request passes as `user`
 * (a payload or claims), which is what `@CurrentUser()` then returns; with `null`, every request is a 401. For routes
 * with `@UseGuards(AccessTokenGuard)`: `Test.createTestingModule(...).overrideGuard(AccessTokenGuard).useValue(fake)`;
 * under the global guard (`globalGuard: true`, which is the module's provider): `.overrideProvider(AccessTokenGuard)`.
 * `@Roles()` and the other authorization decorators run their own guard, which still wants a real token: sign one with
 * `signTestAccessToken`.
 */
export function fakeAccessTokenGuard(user: AccessTokenClaims | AccessTokenPayload | null): CanActivate {
  const payload = user === null ? null : 'sid' in user && 'token_type' in user ? (user as AccessTokenPayload) : testAccessTokenPayload(user);
  return {
    canActivate(context: ExecutionContext): boolean {
      if (payload === null) throw new UnauthorizedException('Not logged in');
      // The same request lookup as the real guard's, so `@CurrentUser()` finds the user on every transport.
      requestOf(context).user = payload;
      return true;
    },
  };
}
