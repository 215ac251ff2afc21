// The Redis of the Redis scenarios: the e2e tests' own helper (test/harness/redis-server.ts: Testcontainers with the
// durable settings the README asks for), started through containers.ts like the MySQL database.
import { containerProblem, imagePresent, pinContainer } from './containers.js';
import type { BenchDatabase } from './mysql.js';

/** Built offline by scripts/build-redis-image.sh; preferred when present, since Docker Hub may be out of reach. */
const OFFLINE_IMAGE = 'dual-token-auth/redis:7.0';

/**
 * Starts Redis with the durable settings the README asks for, or explains what is missing (returned as a message,
 * never thrown). `appendfsync` is `always` (every acknowledged write is on disk: the README's first choice) unless
 * asked otherwise; `everysec` is the README's alternative (up to a second of writes lost in a crash), measured beside it
 * so the report separates what our store costs from what the fsync before each write's answer costs.
 */
export async function startBenchRedis(redisCpu: number, appendfsync: 'always' | 'everysec' = 'always'): Promise<BenchDatabase | string> {
  // Read by the harness when it is loaded (below), so it has to be settled first.
  process.env.REDIS_IMAGE ??= imagePresent(OFFLINE_IMAGE) ? OFFLINE_IMAGE : 'redis:7.0';
  const problem = containerProblem(process.env.REDIS_IMAGE, `bash scripts/build-redis-image.sh ${OFFLINE_IMAGE}`);
  if (problem) return problem;
  const { DURABLE_REDIS_ARGS, REDIS_IMAGE, startRedis } = await import('../../test/harness/redis-server.js');
  const args = DURABLE_REDIS_ARGS.map((arg, i) => (DURABLE_REDIS_ARGS[i - 1] === '--appendfsync' ? appendfsync : arg));
  const redis = await startRedis(args);
  return {
    url: redis.url,
    image: `${REDIS_IMAGE} (\`redis-server ${args.join(' ')}\`)`,
    placement: pinContainer(redis.container.getId(), redisCpu),
    stop: () => redis.stop(),
  };
}
