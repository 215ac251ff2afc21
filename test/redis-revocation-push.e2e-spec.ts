import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { TokenPairResponse } from 'nestjs-dual-token-auth';
import { startInstancesOnRedis, stopInstances, type RedisBackedInstance } from './harness/redis-instances.js';
import { startRedis, type TestRedis } from './harness/redis-server.js';

// Several app instances on one Redis (sessions in RedisSessionStore, revocations pushed over pub/sub): what one
// instance revokes, the others refuse at once, although each caches "active" answers for a minute.
const CACHE_SECONDS = 60;

async function login(instance: RedisBackedInstance): Promise<TokenPairResponse> {
  const response = await instance.http.post<TokenPairResponse>('/user/login', { username: 'alice', password: 'alice-password' });
  expect(response.status).toBe(201);
  return response.body;
}

/** Asks `instance` every few ms until it refuses the token; returns how long that took (ms), or Infinity. */
async function msUntilRefused(instance: RedisBackedInstance, accessToken: string, since: number, limitMs: number): Promise<number> {
  for (;;) {
    const { status } = await instance.http.get('/guarded', accessToken);
    const elapsed = performance.now() - since;
    if (status === 401) return elapsed;
    expect(status).toBe(200);
    if (elapsed > limitMs) return Infinity;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('revocation push across instances on one Redis', () => {
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

  it('a logout on A makes the same access token 401 on B and C within 100 ms', async () => {
    instances = await startInstancesOnRedis(server, 3, { push: true, keyPrefix: randomUUID(), options: { revocationCheckCacheSeconds: CACHE_SECONDS } });
    const [a, b, c] = instances;
    const session = await login(a);
    // B and C have seen the session active and cache that answer for a minute.
    expect((await b.http.get('/guarded', session.access_token)).status).toBe(200);
    expect((await c.http.get('/guarded', session.access_token)).status).toBe(200);

    const logout = await a.http.post('/user/logout', { refresh_token: session.refresh_token });
    const loggedOutAt = performance.now();
    expect(logout.body).toEqual({ revoked: true });
    const [onB, onC] = await Promise.all([
      msUntilRefused(b, session.access_token, loggedOutAt, 1000),
      msUntilRefused(c, session.access_token, loggedOutAt, 1000),
    ]);
    expect(onB).toBeLessThan(100);
    expect(onC).toBeLessThan(100);
  });

  it('a logout-all on A ends every session of the user on B, in one message', async () => {
    const keyPrefix = randomUUID();
    instances = await startInstancesOnRedis(server, 2, { push: true, keyPrefix, options: { revocationCheckCacheSeconds: CACHE_SECONDS } });
    const [a, b] = instances;
    const sessions = await Promise.all([login(a), login(b), login(b)]);
    for (const session of sessions) expect((await b.http.get('/guarded', session.access_token)).status).toBe(200);
    const listener = server.connect();
    const messages: string[] = [];
    listener.on('message', (_channel: string, message: string) => messages.push(message));
    await listener.subscribe(`${keyPrefix}:revocations`);

    const logoutAll = await a.http.post('/user/logout-all', undefined, sessions[0].access_token);
    const loggedOutAt = performance.now();
    expect(logoutAll.body).toEqual({ revoked: 3 });
    const waits = await Promise.all(sessions.map((session) => msUntilRefused(b, session.access_token, loggedOutAt, 1000)));
    for (const wait of waits) expect(wait).toBeLessThan(100);
    expect(messages).toHaveLength(1);
  });

  it('reuse detected on B after a rotation on A revokes the family on A and C too', async () => {
    instances = await startInstancesOnRedis(server, 3, {
      push: true,
      keyPrefix: randomUUID(),
      options: { revocationCheckCacheSeconds: CACHE_SECONDS, reuseGraceSeconds: 0 },
    });
    const [a, b, c] = instances;
    const stolen = await login(a);
    const rotated = await a.http.post<TokenPairResponse>('/user/refresh', { refresh_token: stolen.refresh_token });
    expect(rotated.status).toBe(201);
    expect((await c.http.get('/guarded', rotated.body.access_token)).status).toBe(200);

    const replay = await b.http.post('/user/refresh', { refresh_token: stolen.refresh_token });
    expect(replay.status).toBe(401);
    const detectedAt = performance.now();
    expect(await msUntilRefused(c, rotated.body.access_token, detectedAt, 1000)).toBeLessThan(100);
    expect(await msUntilRefused(a, rotated.body.access_token, detectedAt, 1000)).toBeLessThan(100);
    expect((await a.http.post('/user/refresh', { refresh_token: rotated.body.refresh_token })).status).toBe(401);
  });

  it('30 parallel refreshes of one token spread over three instances rotate the family exactly once', async () => {
    instances = await startInstancesOnRedis(server, 3, { push: true, keyPrefix: randomUUID() });
    const session = await login(instances[0]);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        instances[index % 3].http.post<TokenPairResponse>('/user/refresh', { refresh_token: session.refresh_token }),
      ),
    );
    // One caller rotated; the others, within the reuse grace, got the family's current tokens: one family, one
    // generation, every answer a working pair.
    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(201));
    const generations = new Set(answers.map((answer) => JSON.parse(atob(answer.body.refresh_token.split('.')[1])).gen));
    expect([...generations]).toEqual([1]);
    const next = await instances[2].http.post('/user/refresh', { refresh_token: answers[7].body.refresh_token });
    expect(next.status).toBe(201);
  });

  it('without the bus, B keeps accepting the logged-out token until its cached answer expires (what push fixes)', async () => {
    instances = await startInstancesOnRedis(server, 2, { push: false, keyPrefix: randomUUID(), options: { revocationCheckCacheSeconds: CACHE_SECONDS } });
    const [a, b] = instances;
    const session = await login(a);
    expect((await b.http.get('/guarded', session.access_token)).status).toBe(200);
    await a.http.post('/user/logout', { refresh_token: session.refresh_token });
    const loggedOutAt = performance.now();
    expect(await msUntilRefused(b, session.access_token, loggedOutAt, 300)).toBe(Infinity);
    // A, which revoked it, refuses at once either way.
    expect((await a.http.get('/guarded', session.access_token)).status).toBe(401);
  });

  it('closes its subscriber connection when the app shuts down', async () => {
    instances = await startInstancesOnRedis(server, 1, { push: true, keyPrefix: randomUUID() });
    const clientsBefore = Number(/connected_clients:(\d+)/.exec(await instances[0].redis.info('clients'))![1]);
    await instances[0].app.close();
    const probe = server.connect();
    const clientsAfter = Number(/connected_clients:(\d+)/.exec(await probe.info('clients'))![1]);
    // The probe replaced one connection; the bus's subscriber is gone.
    expect(clientsAfter).toBe(clientsBefore);
    instances = [];
  });
});
