import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signHmacJwt, decodeJwt, nowSeconds } from './harness/forge-jwt.js';
import { startRestartableMySql, type RestartableMySql } from './harness/restartable-mysql.js';
import { startSampleApp, TEST_ACCESS_SECRET, type RunningSampleApp } from './harness/sample-app-server.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

interface Answer<T = any> {
  status: number;
  body: T;
}

const UNAVAILABLE = {
  statusCode: 503,
  message: expect.stringMatching(/temporarily unavailable.*try again/i),
  error: 'Service Unavailable',
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The database goes away under a running sample app and comes back: auth answers 503 (never hangs, never 500, never
// a misleading 401), routes that only need an access token keep working, and the app recovers without a restart.
describe('sample app: MySQL outage and recovery', () => {
  let database: RestartableMySql;
  let sample: RunningSampleApp;
  /** Every status the app answered in this suite: none may be a 500. */
  const seen: Array<{ request: string; status: number }> = [];
  let before: Tokens;
  let neverChecked: Tokens;
  let logoutDuringOutage: Tokens;

  /** A request that gives up after 15 s, so a hanging app fails the test instead of timing out the suite. */
  async function call<T = any>(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<Answer<T>> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(sample.baseUrl + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const body = (response.headers.get('content-type') ?? '').includes('json') && text ? JSON.parse(text) : text;
    seen.push({ request: `${method} ${path}`, status: response.status });
    return { status: response.status, body };
  }

  const login = (username = 'guang', password = '123456') => call<Tokens>('POST', '/user/login', { body: { username, password } });

  beforeAll(async () => {
    database = await startRestartableMySql();
    // A 1 s revocation-check cache, so the outage is seen by the guard's session check (the fail-open path).
    sample = await startSampleApp({ DATABASE_URL: database.url, REVOCATION_CHECK_CACHE_SECONDS: '1' });
  }, 180_000);

  afterAll(async () => {
    await sample?.close();
    await database?.stop();
  });

  it('while the database is up: login and the guarded route work', async () => {
    const first = await login();
    expect(first.status).toBe(201);
    before = first.body;
    expect(await call('GET', '/bbb', { token: before.access_token })).toEqual({ status: 200, body: 'bbb' });
    // A second session whose access token the guard has never checked (nothing cached for it).
    const second = await login();
    expect(second.status).toBe(201);
    neverChecked = second.body;
    const third = await login();
    expect(third.status).toBe(201);
    logoutDuringOutage = third.body;
  });

  it('while the database is down: login answers 503 with a clear message, for known and unknown users alike', async () => {
    await database.takeDown();
    await sleep(1200); // the guard's cached "session active" answers (1 s) run out

    const known = await login();
    expect(known).toEqual({ status: 503, body: UNAVAILABLE });
    // Not a 401: that would tell the user the password is wrong.
    expect(await login('guang', 'wrong-password')).toEqual({ status: 503, body: UNAVAILABLE });
    expect(await login('nobody-at-all', 'whatever-1')).toEqual({ status: 503, body: UNAVAILABLE });
  }, 60_000);

  it('while the database is down: refresh, logout and the session list answer 503, not 401', async () => {
    // Not a 401: a client would drop its tokens and send the user to the login page.
    expect(await call('POST', '/user/refresh', { body: { refresh_token: before.refresh_token } })).toEqual({ status: 503, body: UNAVAILABLE });
    expect(await call('POST', '/user/logout', { body: { refresh_token: logoutDuringOutage.refresh_token } })).toEqual({
      status: 503,
      body: UNAVAILABLE,
    });
    expect(await call('GET', '/user/sessions', { token: before.access_token })).toEqual({ status: 503, body: UNAVAILABLE });
  }, 60_000);

  it('while the database is down: routes that need only an access token keep working, bad tokens are still refused', async () => {
    expect(await call('GET', '/bbb', { token: before.access_token })).toEqual({ status: 200, body: 'bbb' });
    expect(await call('GET', '/bbb', { token: neverChecked.access_token })).toEqual({ status: 200, body: 'bbb' });
    const me = await call('GET', '/user/me', { token: before.access_token });
    expect(me).toEqual({ status: 200, body: { id: expect.any(Number), username: 'guang' } });
    expect(await call('GET', '/aaa')).toEqual({ status: 200, body: 'aaa' });

    // Failing open concerns the session check only: the signature and expiry are still verified.
    const claims = decodeJwt(before.access_token);
    const expired = signHmacJwt(claims.header, { ...claims.payload, iat: nowSeconds() - 120, exp: nowSeconds() - 60 }, TEST_ACCESS_SECRET);
    expect((await call('GET', '/bbb', { token: expired })).status).toBe(401);
    expect((await call('GET', '/bbb', { token: before.refresh_token })).status).toBe(401);
    expect((await call('GET', '/bbb', { token: 'x'.repeat(30) })).status).toBe(401);
    expect((await call('GET', '/bbb')).status).toBe(401);
  }, 60_000);

  it('while the database is down: the sample’s own registration route answers 503 too, not 500', async () => {
    const registration = await call('POST', '/user/register', { body: { username: 'outage-user', password: 'Outage-pass-1' } });
    expect(registration.status).toBe(503);
    expect(registration.body).toMatchObject({ statusCode: 503 });
  }, 60_000);

  it('while the database is down: a burst of concurrent requests neither hangs nor fails with 500', async () => {
    const burst = await Promise.all([
      ...Array.from({ length: 8 }, () => login()),
      ...Array.from({ length: 4 }, () => call('POST', '/user/refresh', { body: { refresh_token: before.refresh_token } })),
      ...Array.from({ length: 8 }, () => call('GET', '/bbb', { token: before.access_token })),
    ]);
    expect(burst.map((answer) => answer.status)).toEqual([...Array(12).fill(503), ...Array(8).fill(200)]);
  }, 60_000);

  it('when the database is back, the same app recovers without a restart: login 201 again within ~30 s', async () => {
    await database.bringUp();
    const deadline = Date.now() + 45_000;
    let answer = await login();
    while (answer.status !== 201 && Date.now() < deadline) {
      expect(answer).toEqual({ status: 503, body: UNAVAILABLE });
      await sleep(500);
      answer = await login();
    }
    expect(answer.status).toBe(201);
    expect(await call('GET', '/bbb', { token: answer.body.access_token })).toEqual({ status: 200, body: 'bbb' });
  }, 90_000);

  it('after recovery: tokens from before the outage still refresh, and logout means logout again', async () => {
    // The refreshes refused during the outage consumed nothing: the token from before still rotates.
    const refreshed = await call<Tokens>('POST', '/user/refresh', { body: { refresh_token: before.refresh_token } });
    expect(refreshed.status).toBe(201);
    expect(decodeJwt(refreshed.body.refresh_token).payload.gen).toBe(1);
    expect(await call('GET', '/bbb', { token: refreshed.body.access_token })).toEqual({ status: 200, body: 'bbb' });

    // The session check is back: a revoked session's access token is refused again.
    expect(await call('POST', '/user/logout', { body: { refresh_token: neverChecked.refresh_token } })).toEqual({
      status: 200,
      body: { revoked: true },
    });
    expect((await call('GET', '/bbb', { token: neverChecked.access_token })).status).toBe(401);
    expect((await call('POST', '/user/refresh', { body: { refresh_token: neverChecked.refresh_token } })).status).toBe(401);
  }, 30_000);

  it('after recovery: a logout refused with 503 during the outage took no effect, so its session works consistently', async () => {
    // 503 means "nothing happened, try again": the store still holds the session as live, so refresh rotates it...
    const refreshed = await call<Tokens>('POST', '/user/refresh', { body: { refresh_token: logoutDuringOutage.refresh_token } });
    expect(refreshed.status).toBe(201);
    // ...and the access token that refresh just issued must be accepted by the same app (not a 401 that sends the
    // client into a refresh loop).
    expect(await call('GET', '/bbb', { token: refreshed.body.access_token })).toEqual({ status: 200, body: 'bbb' });

    // Retrying the logout now works and ends the session for good.
    expect(await call('POST', '/user/logout', { body: { refresh_token: refreshed.body.refresh_token } })).toEqual({
      status: 200,
      body: { revoked: true },
    });
    expect((await call('GET', '/bbb', { token: refreshed.body.access_token })).status).toBe(401);
    expect((await call('POST', '/user/refresh', { body: { refresh_token: refreshed.body.refresh_token } })).status).toBe(401);
  }, 30_000);

  it('no request to the auth routes or the guarded routes was answered with a 500 at any point', () => {
    expect(seen.length).toBeGreaterThan(30);
    // The sample's registration route has its own test above.
    const checked = seen.filter((entry) => entry.request !== 'POST /user/register');
    expect(checked.filter((entry) => entry.status >= 500 && entry.status !== 503)).toEqual([]);
  });
});
