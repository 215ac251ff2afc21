import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { AccessTokenClaims } from '../interfaces/token-payloads.interface.js';
import type { TokenPairResponse } from '../interfaces/token-response.interface.js';
import { type ClientMetadata, SessionService } from '../sessions/session.service.js';
import { DualTokenService } from '../tokens/dual-token.service.js';

/** What {@link signTestAccessToken} writes besides the claims. */
export interface TestAccessTokenOptions {
  /** The `sid` claim. @default a random UUID (a session that does not exist) */
  sessionId?: string;
  /** The `auth_time` claim, in seconds since the epoch, e.g. `Math.floor(Date.now() / 1000) - 600` for a stale login. @default now */
  authTime?: number;
}

/**
 * Starts a real session for `claims` in a running app (as a login would, without the password or the rate limits) and
 * returns its pair. The tokens pass every check, including `rejectRevokedAccessTokens`, and the session shows up in
 * `GET <prefix>/sessions`. For consumers' e2e tests: `Authorization: Bearer ${(await createTestSession(app, claims)).access_token}`.
 */
export function createTestSession(
  app: INestApplicationContext,
  claims: AccessTokenClaims,
  client: ClientMetadata = {},
): Promise<TokenPairResponse> {
  return app.get(SessionService, { strict: false }).startSession(claims, client);
}

/**
 * Signs an access token for `claims` with the app's own keys, synchronously and without a session. It passes the
 * guard unless `rejectRevokedAccessTokens` is on (then its session must exist: use {@link createTestSession}, or pass
 * the `sessionId` of one). `authTime` makes `@RequireRecentLogin()` tests easy.
 */
export function signTestAccessToken(
  app: INestApplicationContext,
  claims: AccessTokenClaims,
  options: TestAccessTokenOptions = {},
): string {
  const now = Date.now();
  const { sessionId = randomUUID(), authTime = Math.floor(now / 1000) } = options;
  return app.get(DualTokenService, { strict: false }).signAccessToken(claims, sessionId, now, authTime).token;
}
