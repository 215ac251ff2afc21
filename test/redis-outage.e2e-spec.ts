import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { TokenPairResponse } from 'nestjs-dual-token-auth';
import { startInstancesOnRedis, stopInstances, type RedisBackedInstance } from './harness/redis-instances.js';
import { startRedis, type TestRedis } from './harness/redis-server.js';

// Redis going away under two running instances: the auth routes answer 503 (retry later) instead of hanging or
// logging anyone out, and everything works again, sessions included, once Redis is back.
const execFileAsync = promisify(execFile);

describe('Redis outage under two instances', () => {
  let server: TestRedis;
  let instances: RedisBackedInstance[] = [];

  beforeAll(async () => {
    server = await startRedis();
    // The client settings the README recommends for a store on a request path: fail a command after one reconnect
    // attempt instead of queueing it for the default twenty.
    instances = await startInstancesOnRedis(server, 2, {
      push: true,
      keyPrefix: randomUUID(),
      options: { rateLimit: {} },
      clientOptions: { maxRetriesPerRequest: 1 },
    });
  }, 120_000);

  afterAll(async () => {
    await stopInstances(instances);
    await server?.stop();
  });

  it('answers 503 while Redis is down and recovers by itself, sessions kept', async () => {
    const [a, b] = instances;
    const before = (await a.http.post<TokenPairResponse>('/user/login', { username: 'alice', password: 'alice-password' })).body;

    await server.container.exec(['redis-cli', 'shutdown', 'nosave']).catch(() => undefined);
    const login = await a.http.post('/user/login', { username: 'alice', password: 'alice-password' });
    const refresh = await b.http.post('/user/refresh', { refresh_token: before.refresh_token });
    const logout = await b.http.post('/user/logout', { refresh_token: before.refresh_token });
    expect([login.status, refresh.status, logout.status]).toEqual([503, 503, 503]);

    await execFileAsync('docker', ['start', server.container.getId()]);
    const deadline = Date.now() + 30_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await a.http.post('/user/login', { username: 'bob', password: 'bob-password' })).status;
      if (status === 201) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(201);
    // The session from before the outage survived it (AOF) and still rotates, on the other instance.
    const rotated = await b.http.post<TokenPairResponse>('/user/refresh', { refresh_token: before.refresh_token });
    expect(rotated.status).toBe(201);
    expect((await a.http.get('/guarded', rotated.body.access_token)).status).toBe(200);
  }, 90_000);
});
