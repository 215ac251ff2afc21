import { Inject, Injectable } from '@nestjs/common';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import type { SessionRecord } from '../interfaces/session-store.interface.js';
import type { AccessTokenClaims } from '../interfaces/token-payloads.interface.js';
import type { TokenPairResponse } from '../interfaces/token-response.interface.js';
import { DualTokenService } from '../tokens/dual-token.service.js';
import { wholeSecond } from './session-lifetime.js';

/** What issuing a token pair needs to know about the session. */
export type IssuingSession = Pick<SessionRecord, 'id' | 'generation' | 'idleExpiresAt' | 'absoluteExpiresAt'>;

/** Builds the token pair of one generation of a session, and the expiries a login or rotation gives the session. */
@Injectable()
export class SessionTokenIssuer {
  constructor(
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
    private readonly tokens: DualTokenService,
  ) {}

  /** The idle expiry a session gets when it is used at `now`: one refresh-token lifetime, never past its absolute expiry. */
  nextIdleExpiry(now: Date, absoluteExpiresAt: Date): Date {
    return new Date(Math.min(wholeSecond(now) + this.config.refreshToken.expiresInMs, absoluteExpiresAt.getTime()));
  }

  /** The absolute expiry of a session started at `now`. */
  absoluteExpiry(now: Date): Date {
    return new Date(wholeSecond(now) + this.config.sessionMaxAgeMs);
  }

  /**
   * The pair of one generation. `authTime` (seconds since the epoch: when the user last proved the password) goes into
   * both tokens, so the refresh token hands it on to every later access token of the session.
   */
  issue(claims: AccessTokenClaims, session: IssuingSession, now: Date, authTime?: number): TokenPairResponse {
    const access = this.tokens.signAccessToken(claims, session.id, now.getTime(), authTime);
    // The refresh token expires with the session's idle timeout as stored, so a grace-window answer cannot extend it.
    const refreshExpiresAt = new Date(Math.min(session.idleExpiresAt.getTime(), session.absoluteExpiresAt.getTime()));
    const issuedAtSeconds = Math.floor(now.getTime() / 1000);
    return {
      access_token: access.token,
      refresh_token: this.tokens.signRefreshToken({
        userId: claims.userId,
        sessionId: session.id,
        generation: session.generation,
        expiresAt: refreshExpiresAt,
        issuedAt: now.getTime(),
        sessionExpiresAt: session.absoluteExpiresAt,
        authTime,
      }),
      token_type: 'Bearer',
      // Whole seconds between the tokens' own `iat` and `exp`, so `expires_in` is exactly the configured lifetime.
      expires_in: Math.max(0, Math.floor(access.expiresAt.getTime() / 1000) - issuedAtSeconds),
      refresh_expires_in: Math.max(0, Math.ceil(refreshExpiresAt.getTime() / 1000) - issuedAtSeconds),
    };
  }
}
