import { Logger } from '@nestjs/common';

/** The sample app's settings, read once from environment variables (documented in the README's table). */
export interface SampleConfig {
  port: number;
  production: boolean;
  /** `mysql://user:pass@host:port/db`, or undefined for the embedded SQLite file. */
  databaseUrl?: string;
  /** File of the embedded SQLite database (used when `databaseUrl` is unset). */
  sqlitePath: string;
  jwtAccessSecret: string;
  jwtRefreshSecret: string;
  jwtAccessExpiresIn: string;
  jwtRefreshExpiresIn: string;
  refreshReuseGraceSeconds: number;
  sessionMaxAge: string;
  revocationCheckCacheSeconds: number;
  seedDemoUser: boolean;
  /** `false` turns login/refresh throttling off (tests); otherwise the limits below. */
  rateLimit:
    | false
    | {
        maxFailuresPerUsernameAndIp: number;
        maxFailuresPerIp: number;
        maxFailuresPerUsername: number;
        failureWindowSeconds: number;
        maxRefreshesPerIpPerMinute: number;
      };
  refreshTokenCookie: boolean;
  cookieSecure: boolean;
}

/** Injection token of {@link SampleConfig}. */
export const SAMPLE_CONFIG = Symbol('SAMPLE_CONFIG');

// Development-only defaults: long enough to pass the library's strength check, loudly announced, refused in production.
const DEVELOPMENT_ACCESS_SECRET = 'dev-only-access-secret-change-me-0123456789abcdef';
const DEVELOPMENT_REFRESH_SECRET = 'dev-only-refresh-secret-change-me-0123456789abcdef';

/** Thrown for an environment variable that cannot be used; the message names the variable. */
export class SampleConfigError extends Error {}

/** Reads and validates the environment; throws {@link SampleConfigError} naming the bad variable. */
export function loadSampleConfig(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  const logger = new Logger('SampleConfig');
  const production = env.NODE_ENV === 'production';

  const secret = (name: string, developmentDefault: string): string => {
    const value = env[name];
    if (value) return value;
    if (production) throw new SampleConfigError(`${name} must be set when NODE_ENV=production`);
    logger.warn(`!!! ${name} is not set: using a built-in DEVELOPMENT secret. Never run like this in production. !!!`);
    return developmentDefault;
  };

  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    production,
    databaseUrl: env.DATABASE_URL || undefined,
    sqlitePath: env.SQLITE_PATH || 'data/sample-app.sqlite',
    jwtAccessSecret: secret('JWT_ACCESS_SECRET', DEVELOPMENT_ACCESS_SECRET),
    jwtRefreshSecret: secret('JWT_REFRESH_SECRET', DEVELOPMENT_REFRESH_SECRET),
    jwtAccessExpiresIn: env.JWT_ACCESS_EXPIRES_IN || '30m',
    jwtRefreshExpiresIn: env.JWT_REFRESH_EXPIRES_IN || '7d',
    refreshReuseGraceSeconds: integer(env, 'REFRESH_REUSE_GRACE_SECONDS', 10, 0, 3600),
    sessionMaxAge: env.SESSION_MAX_AGE || '30d',
    revocationCheckCacheSeconds: integer(env, 'REVOCATION_CHECK_CACHE_SECONDS', 5, 0, 300),
    seedDemoUser: boolean(env, 'SEED_DEMO_USER', true),
    rateLimit: boolean(env, 'RATE_LIMIT_ENABLED', true)
      ? {
          maxFailuresPerUsernameAndIp: integer(env, 'LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP', 10, 1, 1_000_000),
          maxFailuresPerIp: integer(env, 'LOGIN_MAX_FAILURES_PER_IP', 100, 1, 1_000_000),
          maxFailuresPerUsername: integer(env, 'LOGIN_MAX_FAILURES_PER_USERNAME', 1000, 1, 1_000_000),
          failureWindowSeconds: integer(env, 'LOGIN_FAILURE_WINDOW_SECONDS', 900, 1, 86_400),
          maxRefreshesPerIpPerMinute: integer(env, 'REFRESH_MAX_PER_MINUTE_PER_IP', 600, 1, 1_000_000),
        }
      : false,
    refreshTokenCookie: boolean(env, 'REFRESH_TOKEN_COOKIE', false),
    cookieSecure: boolean(env, 'COOKIE_SECURE', true),
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SampleConfigError(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes', 'on'].includes(raw)) return true;
  if (['false', '0', 'no', 'off'].includes(raw)) return false;
  throw new SampleConfigError(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}
