import type { DualTokenAuthEventListener } from '../interfaces/auth-event.interface.js';
import type {
  AuthRateLimitOptions,
  DualTokenAuthMessages,
  JwtAlgorithm,
  RefreshTokenCookieOptions,
  TokenKindOptions,
} from '../interfaces/dual-token-auth-options.interface.js';

/** Rate limits with defaults applied; `clientKey` stays optional (no hook means "count on the address"). */
export type ResolvedRateLimit = Required<Omit<AuthRateLimitOptions, 'clientKey'>> & Pick<AuthRateLimitOptions, 'clientKey'>;

/** `trustProxy` checked: `false` trusts no proxy, a number is a hop count, a list holds addresses, CIDRs or proxy-addr's names. */
export type ResolvedTrustProxy = false | number | string[];

/** One token kind with defaults applied and lifetimes in milliseconds. */
export interface ResolvedTokenKind extends TokenKindOptions {
  algorithm: JwtAlgorithm;
  expiresInMs: number;
}

/** Cookie settings with defaults applied; `path` undefined means "the route prefix" (known only at registration). */
export type ResolvedRefreshTokenCookie = Required<Omit<RefreshTokenCookieOptions, 'path' | 'domain'>> &
  Pick<RefreshTokenCookieOptions, 'path' | 'domain'>;

/**
 * The module options after defaults, unit conversion and validation, computed once at startup. This is the contract
 * the library's providers inject (under {@link AUTH_CONFIG}); pluggable parts (session store, user lookup) are not in
 * it: they have injection tokens of their own.
 */
export interface ResolvedAuthConfig {
  accessToken: ResolvedTokenKind;
  refreshToken: ResolvedTokenKind;
  issuer?: string;
  audience?: string | string[];
  clockToleranceMs: number;
  reuseGraceMs: number;
  sessionMaxAgeMs: number;
  rejectRevokedAccessTokens: boolean;
  revocationCheckCacheMs: number;
  /** Live answers the revocation check keeps at most. */
  revocationCheckCacheMaxSessions: number;
  revocationCheckFailure: 'open' | 'closed';
  /** `Infinity` when unlimited. */
  maxSessionsPerUser: number;
  messages: DualTokenAuthMessages;
  rolesClaim: string;
  permissionsClaim: string;
  production: boolean;
  rateLimit: ResolvedRateLimit | false;
  trustProxy: ResolvedTrustProxy;
  refreshTokenCookie: ResolvedRefreshTokenCookie | false;
  onEvent?: DualTokenAuthEventListener;
}

/** Injection token of the {@link ResolvedAuthConfig}. Internal: not exported from the package. */
export const AUTH_CONFIG = Symbol('DUAL_TOKEN_AUTH:RESOLVED_CONFIG');
