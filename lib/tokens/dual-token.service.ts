import { Inject, Injectable } from '@nestjs/common';
import { createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto';
import { InvalidAuthConfigurationError } from '../exceptions/invalid-auth-configuration.error.js';
import type { KeyMaterial } from '../interfaces/dual-token-auth-options.interface.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import {
  ACCESS_TOKEN_JOSE_TYPE,
  ACCESS_TOKEN_TYPE,
  REFRESH_TOKEN_JOSE_TYPE,
  REFRESH_TOKEN_TYPE,
  type AccessTokenClaims,
  type AccessTokenPayload,
  type RefreshTokenPayload,
  type UserId,
} from '../interfaces/token-payloads.interface.js';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { MAX_TOKEN_LENGTH } from './bearer-token.js';
import { TokenKeyRing } from './token-key-ring.js';

/** What {@link DualTokenService.signRefreshToken} writes into a refresh token. */
export interface RefreshTokenToSign {
  userId: UserId;
  /** The session (token family) id: the `sid` claim. */
  sessionId: string;
  /** The rotation generation the token belongs to: the `gen` claim. */
  generation: number;
  /** When the token expires (the session's idle expiry). */
  expiresAt: Date;
  /** Issue time in epoch milliseconds. @default Date.now() */
  issuedAt?: number;
  /** The session's absolute expiry, signed as the `sxp` claim; omit it and the next refresh reads the session first. */
  sessionExpiresAt?: Date;
  /** When the user last proved their password, in seconds since the epoch: the `auth_time` claim. @default none */
  authTime?: number;
}

/** Claims the library owns; a user lookup cannot override them (that would let it mint a refresh-typed access token). */
const RESERVED_CLAIMS = new Set(['sub', 'sid', 'gen', 'token_type', 'iat', 'exp', 'nbf', 'iss', 'aud', 'jti', 'auth_time']);

/** Verified access tokens kept by the verifier cache (bounded, so memory cannot grow with traffic). */
const ACCESS_TOKEN_CACHE_SIZE = 1000;

/**
 * Signs and verifies both token kinds. Each kind has its own keys and its own type (`typ` header `at+jwt`/`rt+jwt`
 * and a `token_type` claim), checked on every verify, so a refresh token never passes as an access token and vice
 * versa — even when both kinds share one secret.
 */
@Injectable()
export class DualTokenService {
  private readonly accessKeys: TokenKeyRing;
  private readonly refreshKeys: TokenKeyRing;

  constructor(@Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig) {
    const shared = {
      issuer: config.issuer,
      audience: config.audience,
      clockToleranceMs: config.clockToleranceMs,
    };
    this.accessKeys = new TokenKeyRing(config.accessToken, {
      ...shared,
      name: 'access',
      joseType: ACCESS_TOKEN_JOSE_TYPE,
      cacheSize: ACCESS_TOKEN_CACHE_SIZE,
    });
    // Refresh tokens are presented once per rotation, so caching their verification buys nothing.
    this.refreshKeys = new TokenKeyRing(config.refreshToken, {
      ...shared,
      name: 'refresh',
      joseType: REFRESH_TOKEN_JOSE_TYPE,
      cacheSize: 0,
    });
  }

  /** Access-token lifetime in seconds. */
  get accessTokenLifetimeSeconds(): number {
    return Math.floor(this.config.accessToken.expiresInMs / 1000);
  }

  /**
   * Signs an access token for the user's claims in the given session; returns the token and its expiry. `authTime`
   * (seconds since the epoch) becomes the `auth_time` claim.
   */
  signAccessToken(
    claims: AccessTokenClaims,
    sessionId: string,
    now = Date.now(),
    authTime?: number,
  ): { token: string; expiresAt: Date } {
    const iat = Math.floor(now / 1000);
    const exp = Math.floor((now + this.config.accessToken.expiresInMs) / 1000);
    const payload: Record<string, unknown> = {};
    for (const [claim, value] of Object.entries(claims)) {
      if (!RESERVED_CLAIMS.has(claim)) payload[claim] = value;
    }
    payload.sub = String(claims.userId);
    payload.sid = sessionId;
    payload.token_type = ACCESS_TOKEN_TYPE;
    if (authTime !== undefined) payload.auth_time = authTime;
    payload.iat = iat;
    payload.exp = exp;
    return { token: this.accessKeys.signPayload(payload), expiresAt: new Date(exp * 1000) };
  }

  /**
   * Signs the refresh token of one generation of a session. `sessionExpiresAt` (the session's absolute expiry) goes
   * into the `sxp` claim, which lets the next refresh rotate without reading the session first.
   */
  signRefreshToken(token: RefreshTokenToSign): string {
    const { userId, sessionId, generation, expiresAt, issuedAt = Date.now(), sessionExpiresAt, authTime } = token;
    return this.refreshKeys.signPayload({
      sub: String(userId),
      userId,
      sid: sessionId,
      gen: generation,
      // Rounded down: a rotation caps the idle expiry at this instant, and earlier is the safe side.
      ...(sessionExpiresAt ? { sxp: Math.floor(sessionExpiresAt.getTime() / 1000) } : {}),
      ...(authTime !== undefined ? { auth_time: authTime } : {}),
      token_type: REFRESH_TOKEN_TYPE,
      iat: Math.floor(issuedAt / 1000),
      // Rounded up: the session's own expiry (checked on every refresh) is authoritative, and rounding down would make
      // the token die up to a second before its session.
      exp: Math.ceil(expiresAt.getTime() / 1000),
    });
  }

  /**
   * The access-token verification keys as a JWKS document (RFC 7517), for other services that verify access tokens.
   * Only for asymmetric algorithms: HMAC secrets must never be published.
   */
  accessTokenJwks(): { keys: JsonWebKey[] } {
    const kind = this.config.accessToken;
    if (kind.algorithm.startsWith('HS')) {
      throw new InvalidAuthConfigurationError(`jwksPath needs an asymmetric access-token algorithm; ${kind.algorithm} uses a shared secret`);
    }
    const keys: Array<{ keyId?: string; material: KeyMaterial }> = [
      { keyId: kind.keyId, material: kind.publicKey ?? kind.privateKey! },
      ...(kind.additionalVerificationKeys ?? []).map((extra) => ({ keyId: extra.keyId, material: extra.publicKey! })),
    ];
    return {
      keys: keys.map(({ keyId, material }) => ({
        ...publicKeyOf(material).export({ format: 'jwk' }),
        ...(keyId ? { kid: keyId } : {}),
        alg: kind.algorithm,
        use: 'sig',
      })),
    };
  }

  /** Verifies an access token; throws {@link InvalidTokenError} for anything that is not a valid, current access token. */
  verifyAccessToken(token: string): AccessTokenPayload {
    assertPlausibleLength(token);
    const payload = this.accessKeys.verify(token);
    if (payload.token_type !== ACCESS_TOKEN_TYPE || typeof payload.sid !== 'string') {
      throw new InvalidTokenError('wrong-kind');
    }
    // The payload is the caller's own object (the verified-token cache hands out and keeps copies), so one request's
    // changes to request.user cannot reach the next one's.
    return payload as unknown as AccessTokenPayload;
  }

  /** Verifies a refresh token; throws {@link InvalidTokenError} for anything that is not a valid refresh token. */
  verifyRefreshToken(token: string): RefreshTokenPayload {
    assertPlausibleLength(token);
    const payload = this.refreshKeys.verify(token);
    if (
      payload.token_type !== REFRESH_TOKEN_TYPE ||
      typeof payload.sid !== 'string' ||
      !Number.isInteger(payload.gen) ||
      (payload.gen as number) < 0 ||
      (payload.sxp !== undefined && !Number.isInteger(payload.sxp)) ||
      (payload.auth_time !== undefined && !Number.isInteger(payload.auth_time))
    ) {
      throw new InvalidTokenError('wrong-kind');
    }
    return payload as unknown as RefreshTokenPayload;
  }
}

/** Real tokens are a few hundred bytes; anything near the limit is refused before decoding it. */
function assertPlausibleLength(token: string): void {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) throw new InvalidTokenError('too-long');
}

/** The public half of a key given as PEM, private KeyObject or public KeyObject. */
function publicKeyOf(material: KeyMaterial): KeyObject {
  if (material instanceof KeyObject && material.type === 'public') return material;
  return createPublicKey(material as Parameters<typeof createPublicKey>[0]);
}
