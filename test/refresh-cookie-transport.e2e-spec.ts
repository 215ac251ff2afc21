import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DualTokenAuthModule } from 'nestjs-dual-token-auth';
import request from 'supertest';
import { decodeJwt } from './harness/forge-jwt.js';
import { HttpClient, type HttpResult } from './harness/http-client.js';
import { startTestDatabase, type TestDatabase } from './harness/mysql-database.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';
import { GuardedController, HTTP_ADAPTERS, authOptions, createScenarioApp } from './harness/scenario-app.js';

/** One `Set-Cookie` header, split into name, value and attributes (attribute names lower-cased). */
interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

function parseSetCookie(header: string): SetCookie {
  const [pair, ...attributeParts] = header.split(';').map((part) => part.trim());
  const separator = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of attributeParts) {
    const equals = part.indexOf('=');
    if (equals === -1) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, equals).toLowerCase()] = part.slice(equals + 1);
  }
  return { name: pair.slice(0, separator), value: decodeURIComponent(pair.slice(separator + 1)), attributes };
}

/** The refresh-token cookie(s) a response sets. */
function refreshCookies(headers: Headers | Record<string, string | string[] | undefined>): SetCookie[] {
  const raw =
    headers instanceof Headers
      ? headers.getSetCookie()
      : ([] as string[]).concat((headers['set-cookie'] as string | string[] | undefined) ?? []);
  return raw.map(parseSetCookie).filter((cookie) => cookie.name === 'refresh_token');
}

/** The single refresh cookie a response must set. */
function theRefreshCookie(headers: Headers | Record<string, string | string[] | undefined>): SetCookie {
  const cookies = refreshCookies(headers);
  expect(cookies).toHaveLength(1);
  return cookies[0];
}

/** Asserts a cookie that removes the refresh token from the browser. */
function expectClearingCookie(headers: Headers | Record<string, string | string[] | undefined>, path = '/user'): void {
  const cookie = theRefreshCookie(headers);
  expect(cookie.value).toBe('');
  expect(cookie.attributes['max-age']).toBe('0');
  expect(cookie.attributes.path).toBe(path);
  expect(cookie.attributes.httponly).toBe(true);
}

const CSRF = { 'x-csrf-protection': '1' };
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Refresh token in an HttpOnly cookie instead of the JSON body: the sample app on MySQL (plain-HTTP development
// settings), then the library's secure defaults on Express and Fastify.
describe('sample app: refresh token in an HttpOnly cookie (REFRESH_TOKEN_COOKIE=true) on MySQL', () => {
  let database: TestDatabase;
  let sample: RunningSampleApp;
  let http: HttpClient;

  const cookieHeader = (value: string): Record<string, string> => ({ cookie: `refresh_token=${value}` });
  const refreshWithCookie = (value: string, headers: Record<string, string> = CSRF): Promise<HttpResult> =>
    http.post('/user/refresh', undefined, undefined, { ...cookieHeader(value), ...headers });

  async function login(): Promise<{ access: string; cookie: SetCookie; response: HttpResult }> {
    const response = await http.post('/user/login', { username: 'guang', password: '123456' });
    expect(response.status).toBe(201);
    return { access: response.body.access_token, cookie: theRefreshCookie(response.headers), response };
  }

  beforeAll(async () => {
    database = await startTestDatabase();
    sample = await startSampleApp({
      DATABASE_URL: database.url,
      REFRESH_TOKEN_COOKIE: 'true',
      COOKIE_SECURE: 'false',
      REFRESH_REUSE_GRACE_SECONDS: '1',
    });
    http = new HttpClient(sample.baseUrl);
  }, 180_000);

  afterAll(async () => {
    await sample?.close();
    await database?.stop();
  });

  it('login sets refresh_token as an HttpOnly, SameSite=Strict cookie on /user (no Secure with COOKIE_SECURE=false), not in the body', async () => {
    const { response, cookie } = await login();

    expect(cookie.attributes).toEqual({
      'max-age': String(7 * 24 * 3600),
      path: '/user',
      httponly: true,
      samesite: 'Strict',
    });
    expect(cookie.attributes).not.toHaveProperty('secure');
    expect(decodeJwt(cookie.value).header.typ).toBe('rt+jwt');

    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 1800,
      refresh_expires_in: 7 * 24 * 3600,
    });
    expect(response.body).not.toHaveProperty('refresh_token');
    expect(JSON.stringify(response.body)).not.toContain(cookie.value);
    expect((await http.get('/bbb', response.body.access_token)).status).toBe(200);
  });

  it('refresh with the cookie but without the CSRF header is 403 naming x-csrf-protection, and consumes nothing', async () => {
    const { cookie } = await login();
    const refused = await refreshWithCookie(cookie.value, {});

    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ statusCode: 403, message: expect.stringContaining('x-csrf-protection'), error: 'Forbidden' });
    expect(refreshCookies(refused.headers)).toEqual([]);
    // An empty header value is no header either.
    expect((await refreshWithCookie(cookie.value, { 'x-csrf-protection': '' })).status).toBe(403);
    // The token was not rotated: it still works with the header.
    expect((await refreshWithCookie(cookie.value)).status).toBe(201);
  });

  it('refresh with the cookie and the CSRF header is 201 with a new cookie and a working access token', async () => {
    const { cookie } = await login();
    const refreshed = await refreshWithCookie(cookie.value);

    expect(refreshed.status).toBe(201);
    expect(refreshed.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 1800, refresh_expires_in: expect.any(Number) });
    const next = theRefreshCookie(refreshed.headers);
    expect(next.value).not.toBe(cookie.value);
    expect(next.attributes).toMatchObject({ path: '/user', httponly: true, samesite: 'Strict' });
    expect(decodeJwt(next.value).payload).toMatchObject({ sid: decodeJwt(cookie.value).payload.sid, gen: 1 });
    expect(await http.get('/bbb', refreshed.body.access_token)).toMatchObject({ status: 200, body: 'bbb' });
    // And the new cookie rotates again.
    expect((await refreshWithCookie(next.value)).status).toBe(201);
  });

  it('the old cookie replayed after the grace window is 401, clears the cookie and revokes the family', async () => {
    const { cookie } = await login();
    const refreshed = await refreshWithCookie(cookie.value);
    expect(refreshed.status).toBe(201);
    const current = theRefreshCookie(refreshed.headers);
    await sleep(1300); // REFRESH_REUSE_GRACE_SECONDS=1

    const replay = await refreshWithCookie(cookie.value);
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ statusCode: 401, message: 'token 失效，请重新登录', error: 'Unauthorized' });
    expectClearingCookie(replay.headers);
    // The legitimate holder's current cookie is dead too (reuse detection), and answered the same way.
    const victim = await refreshWithCookie(current.value);
    expect(victim.status).toBe(401);
    expectClearingCookie(victim.headers);
    expect((await http.get('/bbb', refreshed.body.access_token)).status).toBe(401);
  });

  it('logout with the cookie and the CSRF header is 200, clears the cookie and ends the session; without the header it is 403', async () => {
    const { cookie, access } = await login();

    // A cross-site form cannot log the user out either.
    const forged = await http.post('/user/logout', undefined, undefined, cookieHeader(cookie.value));
    expect(forged.status).toBe(403);
    expect(forged.body.message).toContain('x-csrf-protection');
    expect((await http.get('/bbb', access)).status).toBe(200);

    const logout = await http.post('/user/logout', undefined, undefined, { ...cookieHeader(cookie.value), ...CSRF });
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ revoked: true });
    expectClearingCookie(logout.headers);
    expect((await http.get('/bbb', access)).status).toBe(401);
    expect((await refreshWithCookie(cookie.value)).status).toBe(401);
  });

  it('a refresh_token in the JSON body still works in cookie mode (no CSRF header needed), answered with a cookie', async () => {
    const { cookie } = await login();
    const refreshed = await http.post('/user/refresh', { refresh_token: cookie.value });

    expect(refreshed.status).toBe(201);
    expect(refreshed.body).not.toHaveProperty('refresh_token');
    const next = theRefreshCookie(refreshed.headers);
    expect(decodeJwt(next.value).payload.gen).toBe(1);
    expect((await http.get('/bbb', refreshed.body.access_token)).status).toBe(200);
    // Logout by body token as well.
    expect(await http.post('/user/logout', { refresh_token: next.value })).toMatchObject({ status: 200, body: { revoked: true } });
  });

  it('refresh with neither a cookie nor a body token is 400', async () => {
    const response = await http.post('/user/refresh', {}, undefined, CSRF);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('refresh_token');
  });
});

describe.each(HTTP_ADAPTERS)('module with refreshTokenCookie: true (secure defaults) on %s', (_platform, createAdapter) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createScenarioApp(createAdapter, {
      imports: [DualTokenAuthModule.forRoot(authOptions({ refreshTokenCookie: true }))],
      controllers: [GuardedController],
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('sets a Secure, HttpOnly, SameSite=Strict cookie on /user and keeps the refresh token out of the body', async () => {
    const login = await request(app.getHttpServer()).post('/user/login').send({ username: 'alice', password: 'alice-password' });

    expect(login.status).toBe(201);
    expect(login.body).not.toHaveProperty('refresh_token');
    const cookie = theRefreshCookie(login.headers);
    expect(cookie.attributes).toEqual({
      'max-age': String(7 * 24 * 3600),
      path: '/user',
      httponly: true,
      secure: true,
      samesite: 'Strict',
    });
    await request(app.getHttpServer()).get('/guarded').set('authorization', `Bearer ${login.body.access_token}`).expect(200);
  });

  it('the cookie refreshes with the CSRF header (new Secure cookie, working access token) and is refused without it', async () => {
    const login = await request(app.getHttpServer()).post('/user/login').send({ username: 'bob', password: 'bob-password' }).expect(201);
    const cookie = theRefreshCookie(login.headers);

    const refused = await request(app.getHttpServer()).post('/user/refresh').set('cookie', `refresh_token=${cookie.value}`);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toContain('x-csrf-protection');

    const refreshed = await request(app.getHttpServer())
      .post('/user/refresh')
      .set('cookie', `refresh_token=${cookie.value}`)
      .set('x-csrf-protection', '1');
    expect(refreshed.status).toBe(201);
    expect(refreshed.body).not.toHaveProperty('refresh_token');
    const next = theRefreshCookie(refreshed.headers);
    expect(next.value).not.toBe(cookie.value);
    expect(next.attributes).toMatchObject({ secure: true, httponly: true, samesite: 'Strict', path: '/user' });
    await request(app.getHttpServer()).get('/guarded').set('authorization', `Bearer ${refreshed.body.access_token}`).expect(200);

    const logout = await request(app.getHttpServer())
      .post('/user/logout')
      .set('cookie', `refresh_token=${next.value}`)
      .set('x-csrf-protection', '1');
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ revoked: true });
    expectClearingCookie(logout.headers);
    const afterLogout = await request(app.getHttpServer())
      .post('/user/refresh')
      .set('cookie', `refresh_token=${next.value}`)
      .set('x-csrf-protection', '1');
    expect(afterLogout.status).toBe(401);
    expectClearingCookie(afterLogout.headers);
  });
});
