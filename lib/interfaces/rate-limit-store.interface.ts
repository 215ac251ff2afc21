import type { RateLimiterAbstract } from 'rate-limiter-flexible';

/** One limit the library needs: a counter namespace, how many points it allows, and over how long. */
export interface RateLimitSettings {
  /** Namespace of this limit's keys (e.g. `'login_user_ip'`); keep it distinct per limit when stores are shared. */
  keyPrefix: string;
  /** Points (attempts) allowed per key and window. */
  points: number;
  /** Length of the window, in seconds. */
  duration: number;
}

/**
 * The part of a rate-limiter-flexible limiter the library uses. `consume` must be **atomic** (check and increment in one
 * step): it resolves while the key has points left and rejects with a `RateLimiterRes` (whose `msBeforeNext` becomes
 * `Retry-After`) once they are used up; any other rejection (an `Error`) is treated as the store being unreachable.
 * `RateLimiterMemory`, `RateLimiterRedis`, `RateLimiterMySQL`, `RateLimiterPostgres`... all fit.
 */
export type RateLimitCounter = Pick<RateLimiterAbstract, 'consume' | 'reward' | 'delete'>;

/**
 * Where login and refresh counters live. The default keeps them in process memory, so N instances behind a load
 * balancer allow N times the limits; a shared store (for example rate-limiter-flexible's Redis or MySQL limiters) makes
 * the limits hold across all instances:
 * ```ts
 * rateLimitStore: { createLimiter: (settings) => new RateLimiterRedis({ storeClient: redis, ...settings }) }
 * ```
 */
export interface RateLimitStore {
  /** Creates the counter of one limit; called once per limit when the module starts. */
  createLimiter(settings: RateLimitSettings): RateLimitCounter;
}

/** Injection token under which the configured {@link RateLimitStore} is available. */
export const RATE_LIMIT_STORE = Symbol('DUAL_TOKEN_AUTH:RATE_LIMIT_STORE');
