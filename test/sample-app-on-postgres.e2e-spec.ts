import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpClient } from './harness/http-client.js';
import { startTestPostgres, type TestPostgresDatabase } from './harness/postgres-database.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

// The sample app with DATABASE_URL=postgres://... : its migrations build the schema on PostgreSQL, the tutorial flow
// works, and two instances on one database rotate a refresh token exactly once and share the login limits (the
// counters live in PostgreSQL). One container for the whole file; apps are closed after each test.
describe('sample app on PostgreSQL', () => {
  let database: TestPostgresDatabase;
  const running: RunningSampleApp[] = [];

  beforeAll(async () => {
    database = await startTestPostgres();
  }, 180_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((sample) => sample.close()));
    // Each test starts from fresh limits, as a new deployment would (the table exists once an app has started).
    await database?.query('DELETE FROM dual_token_rate_limits').catch(() => undefined);
  });

  afterAll(async () => {
    await database?.stop();
  });

  async function start(env: Record<string, string> = {}): Promise<HttpClient> {
    const sample = await startSampleApp({ DATABASE_URL: database.url, ...env });
    running.push(sample);
    return new HttpClient(sample.baseUrl);
  }

  async function login(http: HttpClient): Promise<Tokens> {
    const response = await http.post<Tokens>('/user/login', { username: 'guang', password: '123456' });
    expect(response.status).toBe(201);
    return response.body;
  }

  it('tutorial flow: login, guarded call, refresh, and a replayed refresh token revokes the family', async () => {
    const http = await start({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    expect(await http.get('/aaa')).toMatchObject({ status: 200, body: 'aaa' });
    const tokens = await login(http);
    expect((await http.get('/bbb')).status).toBe(401);
    expect(await http.get('/bbb', tokens.access_token)).toMatchObject({ status: 200, body: 'bbb' });

    const refreshed = await http.post<Tokens>('/user/refresh', { refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(201);
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
    expect(await http.get('/bbb', refreshed.body.access_token)).toMatchObject({ status: 200, body: 'bbb' });

    const replay = await http.post('/user/refresh', { refresh_token: tokens.refresh_token });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ statusCode: 401, message: 'token 失效，请重新登录', error: 'Unauthorized' });
    // The thief's replay ended the whole family: the current pair is dead too.
    expect((await http.post('/user/refresh', { refresh_token: refreshed.body.refresh_token })).status).toBe(401);
    expect((await http.get('/bbb', refreshed.body.access_token)).status).toBe(401);
    const [row] = await database.query<{ revoked_reason: string }>('SELECT revoked_reason FROM dual_token_sessions WHERE id = $1', [
      claims(tokens.refresh_token).sid,
    ]);
    expect(row.revoked_reason).toBe('reuse-detected');
  });

  it('takes a postgresql:// URL too, and keeps users and sessions across a restart', async () => {
    const first = await start({ DATABASE_URL: database.url.replace(/^postgres:/, 'postgresql:') });
    expect((await first.post('/user/register', { username: 'pg-restart', password: 'pg-restart-1' })).status).toBe(201);
    const session = (await first.post<Tokens>('/user/login', { username: 'pg-restart', password: 'pg-restart-1' })).body;
    await running.pop()!.close();

    const after = await start();
    expect((await after.get('/bbb', session.access_token)).status).toBe(200);
    expect((await after.post('/user/refresh', { refresh_token: session.refresh_token })).status).toBe(201);
  });

  it('two app instances on one database: a parallel refresh storm across both rotates exactly once', async () => {
    const [first, second] = await Promise.all([start(), start()]);
    const initial = await login(first);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 === 0 ? first : second).post<Tokens>('/user/refresh', { refresh_token: initial.refresh_token }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(Array(24).fill(201));
    // One rotation: every caller holds generation 1 of the same family, and nothing was revoked.
    expect(new Set(results.map((result) => claims(result.body.refresh_token).gen))).toEqual(new Set([1]));
    expect(new Set(results.map((result) => claims(result.body.refresh_token).sid))).toEqual(new Set([claims(initial.refresh_token).sid]));
    const [row] = await database.query<{ generation: number; revoked_at: unknown }>(
      'SELECT generation, revoked_at FROM dual_token_sessions WHERE id = $1',
      [claims(initial.refresh_token).sid],
    );
    expect(row).toEqual({ generation: 1, revoked_at: null });
    // A token from one instance refreshes on the other.
    expect((await second.post('/user/refresh', { refresh_token: results[0].body.refresh_token })).status).toBe(201);
  });

  it('two instances share the login limits: 30 parallel wrong-password logins for one account get at most 10 checked', async () => {
    const clients = await Promise.all([start(), start()]);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) => clients[i % 2].post('/user/login', { username: 'guang', password: `wrong-${i}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
    // Spent on both instances, for the right password too.
    for (const http of clients) expect((await http.post('/user/login', { username: 'guang', password: '123456' })).status).toBe(429);
  });

  it('the same username registered in parallel on two instances: one 201, every other 409 (never a 5xx)', async () => {
    const clients = await Promise.all([start(), start()]);
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => clients[i % 2].post('/user/register', { username: 'pg-twin', password: 'pg-twin-pass-1' })),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });
});

interface Tokens {
  access_token: string;
  refresh_token: string;
}

function claims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}
