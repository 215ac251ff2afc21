import { Logger, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { DualTokenAuthModule } from 'nestjs-dual-token-auth';
import { RedisRateLimitStore, RedisSessionRevocationBus, RedisSessionStore } from 'nestjs-dual-token-auth/redis';
import { TypeOrmRateLimitStore, TypeOrmSessionStore } from 'nestjs-dual-token-auth/typeorm';
import type { Redis } from 'ioredis';
import { REDIS_CLIENT } from '../redis/redis.module.js';
import { DataSource } from 'typeorm';
import type { EnvironmentVariables } from '../config/environment-variables.js';
import { UserModule } from '../user/user.module.js';
import { UserService } from '../user/user.service.js';

const auditLogger = new Logger('AuthAudit');

/**
 * nestjs-dual-token-auth for the whole app: `/user/login`, `/user/refresh`, `/user/logout`, the guard, `@CurrentUser()`;
 * users from {@link UserService}, sessions in the app's database, secrets and lifetimes from the configuration.
 */
@Module({
  imports: [
    DualTokenAuthModule.forRootAsync({
      isGlobal: true,
      routePrefix: 'user',
      allowRefreshTokenInQuery: true, // the tutorial's GET /user/refresh?refresh_token=
      imports: [UserModule],
      inject: [ConfigService, UserService, DataSource, REDIS_CLIENT],
      useFactory: (
        config: ConfigService<EnvironmentVariables, true>,
        users: UserService,
        dataSource: DataSource,
        redis: Redis | null,
      ) => {
        const env = <K extends keyof EnvironmentVariables>(name: K) => config.get(name, { infer: true });
        return {
          accessToken: { secret: env('JWT_ACCESS_SECRET'), expiresIn: env('JWT_ACCESS_EXPIRES_IN') },
          refreshToken: { secret: env('JWT_REFRESH_SECRET'), expiresIn: env('JWT_REFRESH_EXPIRES_IN') },
          userLookup: users,
          ...stores(dataSource, redis),
          reuseGraceSeconds: env('REFRESH_REUSE_GRACE_SECONDS'),
          sessionMaxAge: env('SESSION_MAX_AGE'),
          rejectRevokedAccessTokens: true, // in the sample, logout means logout
          revocationCheckCacheSeconds: env('REVOCATION_CHECK_CACHE_SECONDS'),
          production: env('NODE_ENV') === 'production',
          rateLimit: env('RATE_LIMIT_ENABLED') && {
            maxFailuresPerUsernameAndIp: env('LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP'),
            maxFailuresPerIp: env('LOGIN_MAX_FAILURES_PER_IP'),
            maxFailuresPerUsername: env('LOGIN_MAX_FAILURES_PER_USERNAME'),
            failureWindowSeconds: env('LOGIN_FAILURE_WINDOW_SECONDS'),
            maxRefreshesPerIpPerMinute: env('REFRESH_MAX_PER_MINUTE_PER_IP'),
          },
          refreshTokenCookie: env('REFRESH_TOKEN_COOKIE') && { secure: env('COOKIE_SECURE') },
          trustProxy: env('TRUST_PROXY') ?? false,
          maxSessionsPerUser: env('MAX_SESSIONS_PER_USER'),
          // Audit trail: every login, refresh, reuse detection and revocation, without tokens or passwords.
          onEvent: (event) => auditLogger.log(JSON.stringify(event)),
          messages: {
            notLoggedIn: '用户未登录',
            tokenInvalid: 'token 失效，请重新登录',
            invalidCredentials: '用户名或密码错误',
          },
        };
      },
    }),
  ],
})
export class AuthModule {}

/**
 * Where sessions, counters and revocations live: all on Redis when `REDIS_URL` is set; otherwise sessions in the
 * database, and counters in it too on MySQL and PostgreSQL (so several instances share the limits), in memory on SQLite.
 */
function stores(dataSource: DataSource, redis: Redis | null) {
  if (redis) {
    return {
      sessionStore: new RedisSessionStore(redis),
      rateLimitStore: new RedisRateLimitStore(redis),
      sessionRevocationBus: new RedisSessionRevocationBus(redis),
    };
  }
  const sharedCounters = ['mysql', 'mariadb', 'postgres'].includes(dataSource.options.type);
  return {
    sessionStore: new TypeOrmSessionStore(dataSource),
    ...(sharedCounters ? { rateLimitStore: new TypeOrmRateLimitStore(dataSource) } : {}),
  };
}
