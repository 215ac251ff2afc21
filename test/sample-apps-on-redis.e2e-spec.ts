import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { decodeJwt } from './harness/forge-jwt.js';
import { HttpClient, type HttpResult } from './harness/http-client.js';
import { startTestDatabase, type TestDatabase } from './harness/mysql-database.js';
import { startRedis, type TestRedis } from './harness/redis-server.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

const GUANG = { username: 'guang', password: '123456' };
const execFileAsync = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Issue 13: three sample-app instances behind one "load balancer" (the tests spread requests over them), sharing one
// MySQL (users) and one Redis (sessions, rate-limit counters, revocation push) through REDIS_URL.
describe('three sample-app instances on one Redis and one MySQL (REDIS_URL)', () => {
  let database: TestDatabase;
  let redis: TestRedis;
  const instances: RunningSampleApp[] = [];
  let clients: HttpClient[];

  const login = (client: HttpClient) => client.post('/user/login', GUANG);

  beforeAll(async () => {
    [database, redis] = await Promise.all([startTestDatabase(), startRedis()]);
    // The container logged "ready"; make sure it also answers through the published port before apps connect.
    const probe = redis.connect();
    await probe.ping();
    // The first instance runs the migrations and seeds guang; the others start on the ready schema.
    const env = { DATABASE_URL: database.url, REDIS_URL: redis.url, REVOCATION_CHECK_CACHE_SECONDS: '60' };
    instances.push(await startSampleApp(env));
    instances.push(...(await Promise.all([startSampleApp(env), startSampleApp(env)])));
    clients = instances.map((instance) => new HttpClient(instance.baseUrl));
  }, 240_000);

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await redis?.stop();
    await database?.stop();
  });

  it('(a) 30 parallel wrong-password logins for one account over the instances let at most the per-account limit through', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => clients[i % 3].post('/user/login', { username: 'limit-target', password: `wrong-${i}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
  });

  it('(b) a logout on A makes the same access token 401 on B and C within 100 ms', async () => {
    const pair = (await login(clients[0])).body;
    expect((await clients[1].get('/bbb', pair.access_token)).status).toBe(200);
    expect((await clients[2].get('/bbb', pair.access_token)).status).toBe(200); // cached as active for 60 s

    expect((await clients[0].post('/user/logout', { refresh_token: pair.refresh_token })).status).toBe(200);
    await sleep(100);

    expect((await clients[1].get('/bbb', pair.access_token)).status).toBe(401);
    expect((await clients[2].get('/bbb', pair.access_token)).status).toBe(401);
  });

  it('(c) 30 parallel refreshes of one token over the instances rotate exactly once: one family, no fork', async () => {
    const pair = (await login(clients[0])).body;
    const sessionId = decodeJwt(pair.refresh_token).payload.sid;
    const answers: HttpResult[] = await Promise.all(
      Array.from({ length: 30 }, (_, i) => clients[i % 3].post('/user/refresh', { refresh_token: pair.refresh_token })),
    );

    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(201));
    const generations = new Set(answers.map((answer) => decodeJwt(answer.body.refresh_token).payload.gen));
    const sessions = new Set(answers.map((answer) => decodeJwt(answer.body.refresh_token).payload.sid));
    expect([...generations]).toEqual([1]);
    expect([...sessions]).toEqual([sessionId]);
  });

  it('(d) a replay on B of a token rotated on A revokes the family everywhere', async () => {
    const first = (await login(clients[0])).body;
    const second = (await clients[0].post('/user/refresh', { refresh_token: first.refresh_token })).body;
    const third = (await clients[0].post('/user/refresh', { refresh_token: second.refresh_token })).body;

    expect((await clients[1].post('/user/refresh', { refresh_token: first.refresh_token })).status).toBe(401);
    await sleep(100);

    expect((await clients[2].post('/user/refresh', { refresh_token: third.refresh_token })).status).toBe(401);
    expect((await clients[2].get('/bbb', third.access_token)).status).toBe(401);
  });

  it('(e) Redis stopped: login, refresh and logout answer 503; restarted: everything works again and sessions are kept', async () => {
    const before = (await login(clients[0])).body;
    // redis-server stops (the container with it); AOF keeps what was acknowledged. `docker stop` (SIGTERM: Redis shuts
    // down cleanly) returns once the container has stopped; a `redis-cli shutdown` through exec could wait on an exec
    // session whose container had just died (this test once timed out in CI around that step).
    await execFileAsync('docker', ['stop', '--time', '10', redis.container.getId()]);
    const during = await Promise.all([
      login(clients[1]),
      clients[2].post('/user/refresh', { refresh_token: before.refresh_token }),
      clients[0].post('/user/logout', { refresh_token: before.refresh_token }),
    ]);
    expect(during.map((answer) => answer.status)).toEqual([503, 503, 503]);
    await execFileAsync('docker', ['start', redis.container.getId()]);

    const deadline = Date.now() + 30_000;
    let refreshed: HttpResult | undefined;
    while (Date.now() < deadline) {
      refreshed = await clients[1].post('/user/refresh', { refresh_token: before.refresh_token });
      if (refreshed.status !== 503) break;
      await sleep(250);
    }
    expect(refreshed?.status).toBe(201);
    expect((await login(clients[2])).status).toBe(201);
  }, 90_000);
});

// Issue 13 item 2: without Redis, instances on one MySQL database share their limits through it.
describe('two sample-app instances on MySQL only share the login limits', () => {
  let database: TestDatabase;
  const instances: RunningSampleApp[] = [];

  beforeAll(async () => {
    database = await startTestDatabase();
    const env = { DATABASE_URL: database.url };
    instances.push(await startSampleApp(env));
    instances.push(await startSampleApp(env));
  }, 240_000);

  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await database?.stop();
  });

  it('30 parallel wrong-password logins for one account over two instances get at most 10 checked', async () => {
    const clients = instances.map((instance) => new HttpClient(instance.baseUrl));
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => clients[i % 2].post('/user/login', { username: 'shared-target', password: `wrong-${i}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
  });
});
