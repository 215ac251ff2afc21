// The size of libuv's thread pool in the servers that hash passwords (the `storm` rows and the `login` section).

/**
 * One thread per core given to hashing. The hashing servers have one such core (the `storm` target moves the pool to
 * CPU 0; the `login` section keeps it on the event loop's core). More threads than that cannot hash faster, since the
 * core is the limit, but they interleave several 19 MiB argon2id working sets on one core's caches: on this VM one
 * verification cost 12–13.5 ms of CPU with one thread and 16–18 ms with two or four (sharing one core), and each
 * thread hashing holds its own 19 MiB. On the event loop's core every extra runnable thread also takes a share of the
 * CPU the event loop would get. See the README, "Sizing the thread pool".
 */
export const HASHING_THREAD_POOL_SIZE = 1;

/**
 * `UV_THREADPOOL_SIZE` for the hashing servers: `BENCH_THREAD_POOL_SIZE` when set (to compare sizes; libuv's default
 * is 4), else {@link HASHING_THREAD_POOL_SIZE}.
 */
export function benchThreadPoolSize(): number {
  const raw = process.env.BENCH_THREAD_POOL_SIZE;
  if (raw === undefined || raw.trim() === '') return HASHING_THREAD_POOL_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 1024) throw new Error(`BENCH_THREAD_POOL_SIZE must be an integer from 1 to 1024, got "${raw}"`);
  return size;
}
