import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateIf,
  type ValidationArguments,
} from 'class-validator';
import { IsDatabaseUrl } from './is-database-url.validator.js';

/**
 * Every environment variable the sample app reads, with its default (the README's table lists the same). Environment
 * values are strings: the transforms turn them into numbers and booleans, and leave a value they cannot read as it is,
 * so that the validator's message shows what was received.
 */
export class EnvironmentVariables {
  /** `production` makes missing secrets fatal and turns on the library's production checks. */
  @IsOptional()
  @IsString()
  NODE_ENV?: string;

  @IntegerBetween(0, 65535)
  PORT = 3000;

  /** The HTTP platform: `express` (GraphQL on Apollo) or `fastify` (GraphQL on Mercurius); the REST routes are the same on both. */
  @IsIn(['express', 'fastify'], {
    message: ({ value }: ValidationArguments) => `HTTP_ADAPTER must be express or fastify, got ${quoted(value)}`,
  })
  HTTP_ADAPTER: 'express' | 'fastify' = 'express';

  /** `mysql://user:pass@host:3306/db` or `postgres://user:pass@host:5432/db`; unset means the embedded SQLite file. */
  @IsOptional()
  @IsDatabaseUrl()
  DATABASE_URL?: string;

  /**
   * `redis://host:port[/db]`: sessions, rate-limit counters and revocation events go through Redis (users stay in the
   * database). Unset: sessions in the database, counters in the database on MySQL and PostgreSQL, in memory on SQLite.
   */
  @IsOptional()
  @Matches(/^rediss?:\/\/[^\s]+$/, {
    message: () => 'REDIS_URL must look like redis://host:6379 or redis://host:6379/0',
  })
  REDIS_URL?: string;

  /** File of the embedded SQLite database (used when `DATABASE_URL` is unset). */
  @IsString()
  SQLITE_PATH = 'data/sample-app.sqlite';

  /** Required in production; elsewhere a generated secret kept in the data folder (`jwt-secrets.json`), loudly announced. */
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production')
  @IsDefined({ message: '$property must be set when NODE_ENV=production' })
  JWT_ACCESS_SECRET!: string;

  /** Required in production; elsewhere a generated secret kept in the data folder (`jwt-secrets.json`), loudly announced. */
  @ValidateIf((env: EnvironmentVariables) => env.NODE_ENV === 'production')
  @IsDefined({ message: '$property must be set when NODE_ENV=production' })
  JWT_REFRESH_SECRET!: string;

  /** A duration (`2s`, `30m`, `7d`); the library checks the format when it starts. */
  @IsString()
  JWT_ACCESS_EXPIRES_IN = '30m';

  @IsString()
  JWT_REFRESH_EXPIRES_IN = '7d';

  @IntegerBetween(0, 300)
  REFRESH_REUSE_GRACE_SECONDS = 10;

  @IsString()
  SESSION_MAX_AGE = '30d';

  @IntegerBetween(0, 300)
  REVOCATION_CHECK_CACHE_SECONDS = 5;

  @TrueOrFalse()
  SEED_DEMO_USER = true;

  /** Creates an `admin` user with the role `admin` on startup (password from `DEMO_ADMIN_PASSWORD`). */
  @TrueOrFalse()
  SEED_DEMO_ADMIN = false;

  /** Password of the seeded `admin` user; required when `SEED_DEMO_ADMIN=true`, with the sign-up rules. */
  @ValidateIf((env: EnvironmentVariables) => env.SEED_DEMO_ADMIN === true)
  @IsDefined({ message: '$property must be set when SEED_DEMO_ADMIN=true' })
  @Matches(/^(?=.*[A-Za-z])(?=.*\d).{8,128}$/, {
    message: '$property must be 8 to 128 characters long and contain at least one letter and one digit',
  })
  DEMO_ADMIN_PASSWORD?: string;

  /** `false` turns login/refresh throttling off; the five limits below are read only when it is on. */
  @TrueOrFalse()
  RATE_LIMIT_ENABLED = true;

  @ValidateIf(rateLimitEnabled)
  @IntegerBetween(1, 1_000_000)
  LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP = 10;

  @ValidateIf(rateLimitEnabled)
  @IntegerBetween(1, 1_000_000)
  LOGIN_MAX_FAILURES_PER_IP = 100;

  @ValidateIf(rateLimitEnabled)
  @IntegerBetween(1, 1_000_000)
  LOGIN_MAX_FAILURES_PER_USERNAME = 1000;

  @ValidateIf(rateLimitEnabled)
  @IntegerBetween(1, 86_400)
  LOGIN_FAILURE_WINDOW_SECONDS = 900;

  @ValidateIf(rateLimitEnabled)
  @IntegerBetween(1, 1_000_000)
  REFRESH_MAX_PER_MINUTE_PER_IP = 600;

  /** Per client IP and hour, `POST /user/register` attempts before 429 (only while `RATE_LIMIT_ENABLED`). */
  @ValidateIf(rateLimitEnabled)
  @IntegerBetween(1, 1_000_000)
  REGISTER_MAX_PER_HOUR_PER_IP = 20;

  /**
   * Reverse proxies trusted to name the client in `X-Forwarded-For`: a hop count (`1`) or comma-separated addresses
   * or CIDR ranges (`10.0.0.1,10.0.0.2`). Unset: the TCP peer is the client (never trust the header blindly).
   */
  @IsOptional()
  @Matches(/^(\d+|[0-9A-Fa-f:./,\s]+|loopback|linklocal|uniquelocal)$/, {
    message: ({ value }: ValidationArguments) =>
      `TRUST_PROXY must be a hop count (1) or comma-separated proxy addresses/CIDR ranges (10.0.0.1,10.0.0.0/8), got ${quoted(value)}`,
  })
  TRUST_PROXY?: string;

  /** Live sessions per user; a login beyond it revokes that user's least recently used session. */
  @IntegerBetween(1, 1_000_000)
  MAX_SESSIONS_PER_USER = 200;

  @TrueOrFalse()
  REFRESH_TOKEN_COOKIE = false;

  @TrueOrFalse()
  COOKIE_SECURE = true;
}

function rateLimitEnabled(env: EnvironmentVariables): boolean {
  return env.RATE_LIMIT_ENABLED === true;
}

/** An integer variable within `[min, max]`; `Number()` reads it, so `1e3` and ` 42 ` are accepted like before. */
function IntegerBetween(min: number, max: number): PropertyDecorator {
  const options = {
    message: ({ property, value }: ValidationArguments) =>
      `${property} must be an integer between ${min} and ${max}, got ${quoted(value)}`,
  };
  return (target, property) => {
    Transform(({ value }) => (typeof value === 'string' && Number.isInteger(Number(value)) ? Number(value) : value))(
      target,
      property,
    );
    IsInt(options)(target, property);
    Min(min, options)(target, property);
    Max(max, options)(target, property);
  };
}

const TRUE_WORDS = ['true', '1', 'yes', 'on'];
const FALSE_WORDS = ['false', '0', 'no', 'off'];

/** A boolean variable: `true`/`1`/`yes`/`on` or `false`/`0`/`no`/`off`, in any case. */
function TrueOrFalse(): PropertyDecorator {
  const options = {
    message: ({ property, value }: ValidationArguments) => `${property} must be true or false, got ${quoted(value)}`,
  };
  return (target, property) => {
    Transform(({ value }) => {
      if (typeof value !== 'string') return value;
      const word = value.toLowerCase();
      return TRUE_WORDS.includes(word) ? true : FALSE_WORDS.includes(word) ? false : value;
    })(target, property);
    IsBoolean(options)(target, property);
  };
}

/** The received value as the environment held it (`"abc"`, `"0"`), so a stray space or an empty quote is visible. */
function quoted(value: unknown): string {
  return JSON.stringify(String(value));
}
