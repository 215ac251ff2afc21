import { describe, expect, it } from '@jest/globals';
import { resolveAuthConfig } from '../config/resolve-auth-config.js';
import { AuthEventPublisher } from '../events/auth-event-publisher.js';
import { TooManyAuthAttemptsException } from '../exceptions/too-many-auth-attempts.exception.js';
import type { DualTokenAuthEvent } from '../interfaces/auth-event.interface.js';
import type { AuthRateLimitOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { RateLimitCounter, RateLimitSettings, RateLimitStore } from '../interfaces/rate-limit-store.interface.js';
import { AuthRateLimiter } from './auth-rate-limiter.js';
import { ClientAddressResolver } from './client-address.resolver.js';
import { InMemoryRateLimitStore } from './in-memory-rate-limit.store.js';

/** One store whose counters every limiter built on it shares, the way instances share a Redis or MySQL store. */
class SharedStore implements RateLimitStore {
  private readonly counters = new Map<string, RateLimitCounter>();
  private readonly memory = new InMemoryRateLimitStore();

  createLimiter(settings: RateLimitSettings): RateLimitCounter {
    if (!this.counters.has(settings.keyPrefix)) this.counters.set(settings.keyPrefix, this.memory.createLimiter(settings));
    return this.counters.get(settings.keyPrefix)!;
  }
}

function limiterWith(rateLimit: AuthRateLimitOptions, store: RateLimitStore = new InMemoryRateLimitStore()) {
  const events: DualTokenAuthEvent[] = [];
  const config = resolveAuthConfig({
    accessToken: { secret: 'unit-access-secret-0123456789abcdef0123' },
    refreshToken: { secret: 'unit-refresh-secret-0123456789abcdef012' },
    userLookup: { validateCredentials: async () => null, findById: async () => null, toAccessTokenClaims: () => ({ userId: 1 }) },
    production: false,
    rateLimit,
    onEvent: (event) => void events.push(event),
  });
  const limiter = new AuthRateLimiter(config, store, new ClientAddressResolver(config), new AuthEventPublisher(config));
  return { limiter, events };
}

const from = (ip: string) => ({ headers: {}, ip });
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** Runs `count` attempts at once; each password check takes a few milliseconds and answers "wrong". */
async function parallelWrongPasswords(limiter: AuthRateLimiter, count: number, username = 'guang', ip = '203.0.113.7') {
  let checked = 0;
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, () =>
      limiter.throttleLogin(username, from(ip), async () => {
        checked += 1;
        await tick();
        return null;
      }),
    ),
  );
  const throttled = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof TooManyAuthAttemptsException).length;
  return { checked, throttled, outcomes };
}

describe('AuthRateLimiter', () => {
  it('40 parallel wrong passwords for one account from one client: 10 are checked, 30 are refused unchecked', async () => {
    const { limiter, events } = limiterWith({ maxFailuresPerUsernameAndIp: 10 });

    const { checked, throttled } = await parallelWrongPasswords(limiter, 40);

    expect(checked).toBe(10);
    expect(throttled).toBe(30);
    expect(events.filter((e) => e.type === 'login.throttled')).toHaveLength(30);
  });

  it('two instances on one shared store together check no more than the limit', async () => {
    const store = new SharedStore();
    const [first, second] = [limiterWith({ maxFailuresPerUsernameAndIp: 10 }, store), limiterWith({ maxFailuresPerUsernameAndIp: 10 }, store)];

    const results = await Promise.all([parallelWrongPasswords(first.limiter, 20), parallelWrongPasswords(second.limiter, 20)]);

    expect(results[0].checked + results[1].checked).toBe(10);
  });

  it('parallel failures over many usernames from one client stop at maxFailuresPerIp', async () => {
    const { limiter } = limiterWith({ maxFailuresPerIp: 5 });

    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => parallelWrongPasswords(limiter, 2, `user-${i}`)));

    expect(results.reduce((sum, r) => sum + r.checked, 0)).toBe(5);
  });

  it('a refused attempt takes nothing from the other limits', async () => {
    const { limiter } = limiterWith({ maxFailuresPerUsernameAndIp: 2, maxFailuresPerIp: 4 });
    await parallelWrongPasswords(limiter, 2, 'alice');
    expect((await parallelWrongPasswords(limiter, 5, 'alice')).throttled).toBe(5);

    // 2 failures on this client so far: two more are allowed on another account, then the client is out.
    const other = await parallelWrongPasswords(limiter, 3, 'bob');
    expect([other.checked, other.throttled]).toEqual([2, 1]);
  });

  it('successes give their points back: many correct logins never use up the client budget', async () => {
    const { limiter } = limiterWith({ maxFailuresPerIp: 3, maxFailuresPerUsername: 3 });
    for (let i = 0; i < 10; i += 1) await expect(limiter.throttleLogin('alice', from('203.0.113.7'), async () => 'tokens')).resolves.toBe('tokens');

    expect((await parallelWrongPasswords(limiter, 4, 'alice')).checked).toBe(3);
  });

  it('a password check that throws gives its points back and rethrows', async () => {
    const { limiter } = limiterWith({ maxFailuresPerUsernameAndIp: 1 });
    const outage = new Error('database down');
    for (let i = 0; i < 3; i += 1) {
      await expect(limiter.throttleLogin('alice', from('203.0.113.7'), () => Promise.reject(outage))).rejects.toBe(outage);
    }
    expect((await parallelWrongPasswords(limiter, 2, 'alice')).checked).toBe(1);
  });

  it('a failing store is an error (503 at the filter), not a 429, and the password is not checked', async () => {
    const broken = new Error('redis unreachable');
    const store: RateLimitStore = {
      createLimiter: () => ({ consume: () => Promise.reject(broken), reward: () => Promise.reject(broken), delete: () => Promise.reject(broken) }),
    };
    const { limiter } = limiterWith({}, store);
    let checked = false;

    await expect(limiter.throttleLogin('alice', from('203.0.113.7'), async () => (checked = true))).rejects.toBe(broken);
    expect(checked).toBe(false);
  });
});
