import { Logger } from '@nestjs/common';
import proxyaddr from 'proxy-addr';
import { InvalidAuthConfigurationError } from '../exceptions/invalid-auth-configuration.error.js';
import type {
  AuthRateLimitOptions,
  DualTokenAuthOptions,
  JwtAlgorithm,
  TokenKindOptions,
  TrustProxy,
} from '../interfaces/dual-token-auth-options.interface.js';
import { describeKeyMaterial } from './key-material.js';
import {
  DEFAULT_MAX_SESSIONS_PER_USER,
  DEFAULT_MESSAGES,
  DEFAULT_RATE_LIMIT,
  DEFAULT_REVOCATION_CHECK_CACHE_MAX_SESSIONS,
  MAX_CLOCK_TOLERANCE_SECONDS,
  MAX_REUSE_GRACE_SECONDS,
  MIN_HMAC_SECRET_BYTES,
} from './auth-config.defaults.js';
import { durationToMs } from './duration.js';
import { resolveRefreshTokenCookie } from './resolve-refresh-token-cookie.js';
import { stripUndefined } from './strip-undefined.js';
import type { ResolvedAuthConfig, ResolvedTokenKind, ResolvedTrustProxy } from './resolved-auth-config.js';

const logger = new Logger('DualTokenAuthModule');

/** Applies defaults and refuses configurations that cannot work, with messages naming the option. */
export function resolveAuthConfig(options: DualTokenAuthOptions): ResolvedAuthConfig {
  if (!options || typeof options !== 'object') {
    throw new InvalidAuthConfigurationError('options are missing');
  }
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const algorithm = options.algorithm ?? 'HS256';
  const accessToken = resolveTokenKind('accessToken', options.accessToken, algorithm, '30m', production);
  const refreshToken = resolveTokenKind('refreshToken', options.refreshToken, algorithm, '7d', production);

  if (sameSecret(accessToken, refreshToken)) {
    const message =
      'accessToken and refreshToken use the same secret or private key. Token kinds still cannot be swapped (each carries its own ' +
      'type), but a leak of one secret then compromises both kinds; configure two different secrets.';
    if (production) throw new InvalidAuthConfigurationError(message);
    logger.warn(message);
  }

  if (!options.userLookup || typeof options.userLookup.validateCredentials !== 'function') {
    throw new InvalidAuthConfigurationError(
      'userLookup is required: an object implementing UserLookup (validateCredentials, findById, toAccessTokenClaims)',
    );
  }

  const reuseGraceSeconds = options.reuseGraceSeconds ?? 10;
  assertSecondsWithin('reuseGraceSeconds', reuseGraceSeconds, MAX_REUSE_GRACE_SECONDS);
  const clockToleranceSeconds = options.clockToleranceSeconds ?? 0;
  assertSecondsWithin('clockToleranceSeconds', clockToleranceSeconds, MAX_CLOCK_TOLERANCE_SECONDS);
  const revocationCheckCacheSeconds = options.revocationCheckCacheSeconds ?? 5;
  assertSecondsWithin('revocationCheckCacheSeconds', revocationCheckCacheSeconds, Number.POSITIVE_INFINITY);
  const revocationCheckCacheMaxSessions = options.revocationCheckCacheMaxSessions ?? DEFAULT_REVOCATION_CHECK_CACHE_MAX_SESSIONS;
  if (!Number.isInteger(revocationCheckCacheMaxSessions) || revocationCheckCacheMaxSessions < 1) {
    throw new InvalidAuthConfigurationError(
      `revocationCheckCacheMaxSessions must be a whole number of sessions >= 1, got ${String(revocationCheckCacheMaxSessions)}`,
    );
  }
  const revocationCheckFailure = options.revocationCheckFailure ?? 'open';
  if (revocationCheckFailure !== 'open' && revocationCheckFailure !== 'closed') {
    throw new InvalidAuthConfigurationError(`revocationCheckFailure must be 'open' or 'closed', got ${JSON.stringify(revocationCheckFailure)}`);
  }

  return {
    accessToken,
    refreshToken,
    issuer: options.issuer,
    audience: options.audience,
    clockToleranceMs: clockToleranceSeconds * 1000,
    reuseGraceMs: reuseGraceSeconds * 1000,
    sessionMaxAgeMs: durationToMsOrThrow(options.sessionMaxAge ?? '30d', 'sessionMaxAge'),
    rejectRevokedAccessTokens: options.rejectRevokedAccessTokens ?? false,
    revocationCheckCacheMs: revocationCheckCacheSeconds * 1000,
    revocationCheckCacheMaxSessions,
    revocationCheckFailure,
    maxSessionsPerUser: resolveMaxSessionsPerUser(options.maxSessionsPerUser),
    messages: { ...DEFAULT_MESSAGES, ...stripUndefined(options.messages ?? {}) },
    rolesClaim: resolveClaimName('rolesClaim', options.rolesClaim, 'roles'),
    permissionsClaim: resolveClaimName('permissionsClaim', options.permissionsClaim, 'permissions'),
    production,
    rateLimit: resolveRateLimit(options.rateLimit),
    trustProxy: resolveTrustProxy(options.trustProxy),
    refreshTokenCookie: resolveRefreshTokenCookie(options.refreshTokenCookie),
    onEvent: options.onEvent,
  };
}

function resolveTokenKind(
  name: 'accessToken' | 'refreshToken',
  kind: TokenKindOptions | undefined,
  defaultAlgorithm: JwtAlgorithm,
  defaultExpiresIn: string,
  production: boolean,
): ResolvedTokenKind {
  if (!kind || typeof kind !== 'object') {
    throw new InvalidAuthConfigurationError(`${name} is required, e.g. { secret: process.env.JWT_SECRET }`);
  }
  const algorithm = kind.algorithm ?? defaultAlgorithm;
  const isHmac = algorithm.startsWith('HS');
  if (isHmac) {
    const secretBytes = kind.secret === undefined || kind.secret === null ? undefined : describeKeyMaterial(kind.secret);
    if (!secretBytes || secretBytes.length === 0) {
      throw new InvalidAuthConfigurationError(
        `${name}.secret is missing: ${algorithm} needs a secret (for example from an environment variable)`,
      );
    }
    if (secretBytes.toString('utf8', 0, 11) === '-----BEGIN ') {
      throw new InvalidAuthConfigurationError(
        `${name}.secret looks like a PEM key, but ${algorithm} is an HMAC algorithm: use privateKey/publicKey with RS256, ES256 or EdDSA`,
      );
    }
    const length = secretBytes.length;
    if (length < MIN_HMAC_SECRET_BYTES) {
      const message = `${name}.secret is ${length} bytes; ${algorithm} needs at least ${MIN_HMAC_SECRET_BYTES} random bytes to resist offline guessing`;
      if (production) throw new InvalidAuthConfigurationError(message);
      logger.warn(`${message} (allowed outside production)`);
    }
  } else if (!kind.privateKey) {
    throw new InvalidAuthConfigurationError(`${name}.privateKey is missing: ${algorithm} signs with a private key`);
  }
  return {
    ...kind,
    algorithm,
    expiresInMs: durationToMsOrThrow(kind.expiresIn ?? defaultExpiresIn, `${name}.expiresIn`),
  };
}

function resolveRateLimit(option: AuthRateLimitOptions | false | undefined): ResolvedAuthConfig['rateLimit'] {
  if (option === false) return false;
  const { clientKey, ...numbers } = option ?? {};
  const limits = { ...DEFAULT_RATE_LIMIT, ...stripUndefined(numbers) };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new InvalidAuthConfigurationError(`rateLimit.${name} must be a positive integer, got ${String(value)}`);
    }
  }
  if (limits.ipv6PrefixLength > 128) {
    throw new InvalidAuthConfigurationError(`rateLimit.ipv6PrefixLength must be a number of bits from 1 to 128, got ${limits.ipv6PrefixLength}`);
  }
  if (clientKey !== undefined && typeof clientKey !== 'function') {
    throw new InvalidAuthConfigurationError('rateLimit.clientKey must be a function (request) => string | undefined');
  }
  return clientKey ? { ...limits, clientKey } : limits;
}

/**
 * Checks `trustProxy` the way `proxy-addr` (Express's and Fastify's evaluator) will read it, so a typo stops the app at
 * startup instead of silently counting every client on the proxy's address.
 */
function resolveTrustProxy(option: TrustProxy | boolean | undefined): ResolvedTrustProxy {
  if (option === undefined || option === false) return false;
  if (option === true) {
    throw new InvalidAuthConfigurationError(
      'trustProxy: true would believe any X-Forwarded-For header, so every client could choose the address its rate ' +
        'limits are counted on. Give the number of proxies in front of the app (e.g. 1) or their addresses ' +
        '(e.g. "10.0.0.1" or ["10.0.0.0/8"]).',
    );
  }
  const value = typeof option === 'string' && /^\s*\d+\s*$/.test(option) ? Number(option) : option;
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidAuthConfigurationError(`trustProxy must be a hop count (an integer >= 0) or a list of addresses, got ${value}`);
    }
    return value === 0 ? false : value;
  }
  const list = typeof value === 'string' ? value.split(',') : value;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== 'string')) {
    throw new InvalidAuthConfigurationError(
      `trustProxy must be a hop count, an address/CIDR list or false, got ${JSON.stringify(option)}`,
    );
  }
  const addresses = list.map((entry) => entry.trim()).filter((entry) => entry.length > 0);
  if (addresses.length === 0) return false;
  try {
    proxyaddr.compile(addresses);
  } catch (error) {
    // proxy-addr also refuses /0 ranges ("0.0.0.0/0", "::/0"), which would be "trust everything" in disguise.
    throw new InvalidAuthConfigurationError(`trustProxy: ${(error as Error).message}`);
  }
  return addresses;
}


function sameSecret(a: ResolvedTokenKind, b: ResolvedTokenKind): boolean {
  const keyOf = (kind: ResolvedTokenKind) => (kind.algorithm.startsWith('HS') ? kind.secret : kind.privateKey);
  const [first, second] = [keyOf(a), keyOf(b)];
  if (!first || !second) return false;
  return describeKeyMaterial(first).equals(describeKeyMaterial(second));
}

function durationToMsOrThrow(value: Parameters<typeof durationToMs>[0], name: string): number {
  try {
    return durationToMs(value, name);
  } catch (error) {
    throw new InvalidAuthConfigurationError((error as Error).message);
  }
}

function assertSecondsWithin(name: string, value: number, max: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidAuthConfigurationError(`${name} must be a number of seconds >= 0, got ${String(value)}`);
  }
  if (value > max) {
    throw new InvalidAuthConfigurationError(`${name} must be at most ${max} seconds, got ${value}`);
  }
}

function resolveClaimName(name: string, option: string | undefined, fallback: string): string {
  if (option === undefined) return fallback;
  if (typeof option !== 'string' || option.length === 0) {
    throw new InvalidAuthConfigurationError(`${name} must be the name of an access-token claim, got ${JSON.stringify(option)}`);
  }
  return option;
}

function resolveMaxSessionsPerUser(option: number | false | undefined): number {
  if (option === false) return Number.POSITIVE_INFINITY;
  const value = option ?? DEFAULT_MAX_SESSIONS_PER_USER;
  if (!Number.isInteger(value) || value < 1) {
    throw new InvalidAuthConfigurationError(`maxSessionsPerUser must be a positive integer or false, got ${String(value)}`);
  }
  return value;
}
