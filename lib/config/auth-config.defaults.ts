import type { AuthRateLimitOptions, DualTokenAuthMessages } from '../interfaces/dual-token-auth-options.interface.js';

/** Texts of the 401 and 403 answers unless `messages` overrides them. */
export const DEFAULT_MESSAGES: DualTokenAuthMessages = {
  notLoggedIn: 'Not logged in',
  tokenInvalid: 'Token is invalid or expired, please log in again',
  invalidCredentials: 'Invalid username or password',
  forbidden: 'You are not allowed to do this',
  recentLoginRequired: 'Please confirm your password to continue',
};

/** Brute-force limits unless `rateLimit` overrides them. */
export const DEFAULT_RATE_LIMIT: Required<Omit<AuthRateLimitOptions, 'clientKey'>> = {
  maxFailuresPerUsernameAndIp: 10,
  maxFailuresPerIp: 100,
  maxFailuresPerUsername: 1000,
  failureWindowSeconds: 900,
  maxRefreshesPerIpPerMinute: 600,
  ipv6PrefixLength: 64,
};

/** HMAC keys shorter than the hash output are brute-forceable offline (RFC 7518 §3.2 requires at least 256 bits for HS256). */
export const MIN_HMAC_SECRET_BYTES = 32;

/** Live sessions per user unless `maxSessionsPerUser` says otherwise (Auth0 keeps 200 refresh tokens per user and app). */
export const DEFAULT_MAX_SESSIONS_PER_USER = 200;

/**
 * Sessions whose "still active" answer the revocation check keeps unless `revocationCheckCacheMaxSessions` says
 * otherwise: about 2 MB per process, and more than the sessions most single instances see within five seconds.
 */
export const DEFAULT_REVOCATION_CHECK_CACHE_MAX_SESSIONS = 10_000;

/**
 * Upper bounds of the two windows in which something otherwise invalid is accepted: an expired token (clock
 * tolerance) and the previous refresh token (reuse grace). Larger values stop being a tolerance and become a hole.
 */
export const MAX_CLOCK_TOLERANCE_SECONDS = 300;
export const MAX_REUSE_GRACE_SECONDS = 300;
