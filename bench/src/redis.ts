// The Redis of the Redis scenarios: the e2e tests' own helper (test/harness/redis-server.ts: Testcontainers with the
// durable settings the README asks for), started through containers.ts like the MySQL database.
import { containerProblem, imagePresent, pinContainer } from './containers.js';
import type { BenchDatabase } from './mysql.js';

/** Built offline by scripts/build-redis-image.sh; preferred when present, since Docker Hub may be out of reach. */
const OFFLINE_IMAGE = 'dual-token-auth/redis:7.0';

/** Starts Redis, or explains what is missing (returned as a message, never thrown). */
export async function startBenchRedis(redisCpu: number): Promise<BenchDatabase | string> {
  // Read by the harness when it is loaded (below), so it has to be settled first.
  process.env.REDIS_IMAGE ??= imagePresent(OFFLINE_IMAGE) ? OFFLINE_IMAGE : 'redis:7.0';
  const problem = containerProblem(process.env.REDIS_IMAGE, `bash scripts/build-redis-image.sh ${OFFLINE_IMAGE}`);
  if (problem) return problem;
  const { DURABLE_REDIS_ARGS, REDIS_IMAGE, startRedis } = await import('../../test/harness/redis-server.js');
  const redis = await startRedis();
  return {
    url: redis.url,
    image: `${REDIS_IMAGE} (\`redis-server ${DURABLE_REDIS_ARGS.join(' ')}\`)`,
    placement: pinContainer(redis.container.getId(), redisCpu),
    stop: () => redis.stop(),
  };
}
