import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Redis } from 'ioredis';
import type { EnvironmentVariables } from '../config/environment-variables.js';

/** How long startup waits for the first Redis connection before going on without it (requests then answer 503). */
const STARTUP_WAIT_MS = 5000;

/** Injection token of the app's ioredis client, or `null` when `REDIS_URL` is unset. */
export const REDIS_CLIENT = Symbol('SAMPLE:REDIS_CLIENT');

/**
 * The app's Redis connection when `REDIS_URL` is set (sessions, rate-limit counters and revocation push then go
 * through Redis; users stay in the database). `maxRetriesPerRequest: 1` makes a command fail fast during an outage,
 * so auth routes answer 503 instead of hanging, and the client reconnects by itself once Redis is back.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [ConfigService],
      useFactory: async (config: ConfigService<EnvironmentVariables, true>): Promise<Redis | null> => {
        const url = config.get('REDIS_URL', { infer: true });
        if (!url) return null;
        const redis = new Redis(url, { maxRetriesPerRequest: 1 });
        // ioredis reports connection errors as events; unhandled, they would end the process during an outage.
        redis.on('error', () => undefined);
        // With one retry per command, a command sent while the first connection is still being set up can fail:
        // give Redis a few seconds to answer before the stores start using it (start anyway if it does not).
        await new Promise<void>((resolve) => {
          redis.once('ready', () => resolve());
          setTimeout(resolve, STARTUP_WAIT_MS).unref();
        });
        return redis;
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
