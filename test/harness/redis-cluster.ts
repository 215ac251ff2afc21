import { Cluster } from 'ioredis';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { DURABLE_REDIS_ARGS, freePortBelow, REDIS_IMAGE } from './redis-server.js';

/** A real Redis Cluster of three masters (no replicas), all in one container. */
export interface TestRedisCluster {
  container: StartedTestContainer;
  /** The masters' host ports (published 1:1, announced as 127.0.0.1). */
  ports: number[];
  /** A new ioredis Cluster client (closed by {@link TestRedisCluster.stop}). */
  connect(): Cluster;
  stop(): Promise<void>;
}

/**
 * Starts three cluster-enabled redis-server processes in one container (the image's REDIS_CLUSTER_PORTS mode) and
 * joins them with `redis-cli --cluster create`. Ports are published 1:1 because cluster nodes tell clients where each
 * slot lives by their announced address; the cluster bus (port + 10000) stays inside the container.
 */
export async function startRedisCluster(args: string[] = DURABLE_REDIS_ARGS): Promise<TestRedisCluster> {
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freePortBelow(55_000);
    if (!ports.includes(port)) ports.push(port);
  }
  const container = await new GenericContainer(REDIS_IMAGE)
    .withEnvironment({ REDIS_CLUSTER_PORTS: ports.join(' ') })
    .withCommand(args)
    .withExposedPorts(...ports.map((port) => ({ container: port, host: port })))
    .withWaitStrategy(Wait.forLogMessage('Redis Cluster ready'))
    .withStartupTimeout(60_000)
    .start();
  const clients: Cluster[] = [];
  return {
    container,
    ports,
    connect() {
      const client = new Cluster(ports.map((port) => ({ host: '127.0.0.1', port })));
      clients.push(client);
      return client;
    },
    async stop() {
      for (const client of clients) client.disconnect();
      await container.stop();
    },
  };
}
