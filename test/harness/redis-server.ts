import { createServer } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';

/**
 * Image of the Redis server the e2e tests start. CI has no Docker Hub access, so `.ci/run` builds an image from
 * Debian's redis-server package (scripts/build-redis-image.sh) and exports its name here. Arguments given to the
 * container go to redis-server, as with the official image.
 */
export const REDIS_IMAGE = process.env.REDIS_IMAGE ?? 'redis:7.0';

// The reaper (Ryuk) image cannot be pulled offline; each suite stops its own container in afterAll instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** The settings the README asks for: every acknowledged write survives a restart, nothing is evicted. */
export const DURABLE_REDIS_ARGS = ['--appendonly', 'yes', '--appendfsync', 'always', '--maxmemory-policy', 'noeviction'];

/** A real Redis server for one suite. */
export interface TestRedis {
  container: StartedTestContainer;
  host: string;
  port: number;
  /** `redis://host:port`. */
  url: string;
  /**
   * A new ioredis client (closed by {@link TestRedis.stop}); reconnects every 100 ms so restart tests stay short.
   * `options` override the defaults (e.g. `maxRetriesPerRequest` for outage tests).
   */
  connect(options?: RedisOptions): Redis;
  /** Closes every client from {@link TestRedis.connect} and stops the container. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server with `args`. The host port equals a port chosen here (published 1:1), so a restarted container
 * answers on the same address and existing clients reconnect by themselves.
 */
export async function startRedis(args: string[] = DURABLE_REDIS_ARGS): Promise<TestRedis> {
  const port = await freePortBelow(55_000);
  const container = await new GenericContainer(REDIS_IMAGE)
    .withCommand(args)
    .withExposedPorts({ container: 6379, host: port })
    .withWaitStrategy(Wait.forLogMessage('Ready to accept connections'))
    .withStartupTimeout(60_000)
    .start();
  const host = container.getHost();
  const clients: Redis[] = [];
  return {
    container,
    host,
    port,
    url: `redis://${host}:${port}`,
    connect(options: RedisOptions = {}) {
      const client = new Redis({ host, port, retryStrategy: () => 100, maxRetriesPerRequest: 50, ...options });
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await container.stop();
    },
  };
}

/**
 * A TCP port nobody listens on, below `limit`: a cluster node also uses port + 10000 for its bus, so ports from the
 * OS's ephemeral range (up to 60999) could overflow 65535.
 */
export async function freePortBelow(limit: number): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * (limit - 20_000));
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen(candidate, () => server.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
}
