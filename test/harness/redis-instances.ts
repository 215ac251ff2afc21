import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import type { Redis, RedisOptions } from 'ioredis';
import { DualTokenAuthModule, type DualTokenAuthOptions } from 'nestjs-dual-token-auth';
import { RedisRateLimitStore, RedisSessionRevocationBus, RedisSessionStore } from 'nestjs-dual-token-auth/redis';
import { HttpClient } from './http-client.js';
import type { TestRedis } from './redis-server.js';
import { authOptions, createScenarioApp, GuardedController, HTTP_ADAPTERS } from './scenario-app.js';

/** One app instance of a multi-instance deployment: its own process state, the shared Redis behind it. */
export interface RedisBackedInstance {
  app: INestApplication;
  http: HttpClient;
  /** This instance's own Redis connection (as a separate process would have). */
  redis: Redis;
  bus?: RedisSessionRevocationBus;
}

/**
 * Starts `count` Express apps in this process that share nothing but one Redis: each has its own ioredis client,
 * `RedisSessionStore`, `RedisRateLimitStore` (limits count only with a `rateLimit` option) and, with `push`,
 * `RedisSessionRevocationBus`, listening on a loopback port like separate instances behind a load balancer.
 * `keyPrefix` keeps suites on one server apart.
 */
export async function startInstancesOnRedis(
  server: TestRedis,
  count: number,
  {
    push,
    keyPrefix,
    options = {},
    clientOptions,
  }: { push: boolean; keyPrefix: string; options?: Partial<DualTokenAuthOptions>; clientOptions?: RedisOptions },
): Promise<RedisBackedInstance[]> {
  const [, createExpress] = HTTP_ADAPTERS.find(([name]) => name === 'express')!;
  const instances: RedisBackedInstance[] = [];
  for (let index = 0; index < count; index += 1) {
    const redis = server.connect(clientOptions);
    const bus = push ? new RedisSessionRevocationBus(redis, { channel: `${keyPrefix}:revocations` }) : undefined;
    const app = await createScenarioApp(createExpress, {
      imports: [
        DualTokenAuthModule.forRoot({
          ...authOptions({
            sessionStore: new RedisSessionStore(redis, { keyPrefix }),
            rateLimitStore: new RedisRateLimitStore(redis, { keyPrefix: `${keyPrefix}:rl` }),
            sessionRevocationBus: bus,
            rejectRevokedAccessTokens: true,
            rateLimit: false,
            ...options,
          }),
        }),
      ],
      controllers: [GuardedController],
    });
    await app.listen(0, '127.0.0.1');
    await bus?.ready;
    const { port } = app.getHttpServer().address() as AddressInfo;
    instances.push({ app, http: new HttpClient(`http://127.0.0.1:${port}`), redis, bus });
  }
  return instances;
}

/** Closes every instance (their buses close their subscriber connections on shutdown). */
export async function stopInstances(instances: RedisBackedInstance[]): Promise<void> {
  await Promise.all(instances.map((instance) => instance.app.close()));
}
