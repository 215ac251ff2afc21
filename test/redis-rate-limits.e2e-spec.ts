import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { RedisRateLimitStore } from 'nestjs-dual-token-auth/redis';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { startInstancesOnRedis, stopInstances, type RedisBackedInstance } from './harness/redis-instances.js';
import { startRedis, type TestRedis } from './harness/redis-server.js';

// Login limits shared by every instance through Redis: N instances allow the configured budget in total, not N times
// it, even when the attempts arrive in parallel on all of them.
const execFileAsync = promisify(execFile);

describe('rate limits shared through Redis', () => {
  let server: TestRedis;
  let instances: RedisBackedInstance[] = [];

  beforeAll(async () => {
    server = await startRedis();
  }, 120_000);

  afterEach(async () => {
    await stopInstances(instances);
    instances = [];
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('counts parallel attempts from two instances against one budget, atomically', async () => {
    const keyPrefix = `rl-${randomUUID()}`;
    const clients = [server.connect(), server.connect()];
    // While a client is not connected the store refuses at once (see the outage test), so let them connect first.
    await Promise.all(clients.map((redis) => redis.ping()));
    const [first, second] = clients.map((redis) =>
      new RedisRateLimitStore(redis, { keyPrefix }).createLimiter({ keyPrefix: 'login_user', points: 5, duration: 60 }),
    );
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, index) => (index % 2 ? first : second).consume('alice')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(refused).toHaveLength(25);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(RateLimiterRes);
      expect((reason as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
    }
  });

  it('30 parallel wrong-password logins for one account spread over three instances check at most the limit', async () => {
    instances = await startInstancesOnRedis(server, 3, {
      push: true,
      keyPrefix: randomUUID(),
      options: { rateLimit: { maxFailuresPerUsernameAndIp: 5 } },
    });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        instances[index % 3].http.post('/user/login', { username: 'alice', password: `guess-${index}` }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(5);
    expect(statuses.filter((status) => status === 429)).toHaveLength(25);
    // The budget is spent everywhere, for the right password too, until the window passes.
    for (const instance of instances) {
      expect((await instance.http.post('/user/login', { username: 'alice', password: 'alice-password' })).status).toBe(429);
    }
  });

  it('refuses at once while Redis is down (no queueing) and counts again once it is back', async () => {
    const redis = server.connect();
    await redis.ping();
    const limiter = new RedisRateLimitStore(redis, { keyPrefix: `down-${randomUUID()}` }).createLimiter({
      keyPrefix: 'login_ip',
      points: 100,
      duration: 60,
    });
    await limiter.consume('10.0.0.1');
    await server.container.exec(['redis-cli', 'shutdown', 'nosave']).catch(() => undefined);
    await waitFor(() => redis.status !== 'ready');
    const startedAt = performance.now();
    const error = await limiter.consume('10.0.0.1').then(
      () => null,
      (reason: unknown) => reason,
    );
    // A store error, not a RateLimiterRes: the library answers 503 for it, instead of 429 or a hung request.
    expect(error).toBeInstanceOf(Error);
    expect(performance.now() - startedAt).toBeLessThan(500);

    await execFileAsync('docker', ['start', server.container.getId()]);
    await waitFor(() => redis.status === 'ready');
    await expect(limiter.consume('10.0.0.1')).resolves.toBeInstanceOf(RateLimiterRes);
  }, 60_000);
});

async function waitFor(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
