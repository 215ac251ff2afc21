import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { RateLimitCounter, RateLimitSettings, RateLimitStore } from '../interfaces/rate-limit-store.interface.js';

/**
 * Counters in this process's memory (rate-limiter-flexible's `RateLimiterMemory`): the default. Limits hold within one
 * process; every further instance adds its own budget, and a restart forgets all counters.
 */
export class InMemoryRateLimitStore implements RateLimitStore {
  createLimiter(settings: RateLimitSettings): RateLimitCounter {
    return new RateLimiterMemory(settings);
  }
}
