import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { RateLimitCounter, RateLimitSettings, RateLimitStore } from '../interfaces/rate-limit-store.interface.js';
import type { RedisClient } from './redis-client.js';

/** Options of {@link RedisRateLimitStore}. */
export interface RedisRateLimitStoreOptions {
  /**
   * Prefix of the counter keys (each limit adds its own namespace after it), so several apps can share one Redis.
   * @default 'dta:rl'
   */
  keyPrefix?: string;
}

/**
 * Login and refresh counters in Redis (single server or Cluster), shared by every instance: N instances allow the
 * configured limits in total, not N times them. Pass it as the `rateLimitStore` option.
 *
 * Built on rate-limiter-flexible's `RateLimiterRedis`, whose consume is one Lua script on one key (atomic, so parallel
 * attempts on several instances cannot all slip under the limit, and Cluster-safe). While Redis is not connected a
 * consume fails at once instead of queueing (`rejectIfRedisNotReady`), so login and refresh answer 503 during an outage
 * rather than hang, and recover with the connection.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: RedisClient,
    options: RedisRateLimitStoreOptions = {},
  ) {
    this.keyPrefix = options.keyPrefix ?? 'dta:rl';
  }

  createLimiter(settings: RateLimitSettings): RateLimitCounter {
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${this.keyPrefix}:${settings.keyPrefix}`,
      points: settings.points,
      duration: settings.duration,
      rejectIfRedisNotReady: true,
    });
  }
}
