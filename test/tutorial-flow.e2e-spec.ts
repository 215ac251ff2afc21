import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpClient } from './harness/http-client.js';
import { startSampleAppOnMySql, type SampleAppOnMySql } from './harness/sample-apps-on-mysql.js';
import type { TestDatabase } from './harness/mysql-database.js';

// The reference tutorial's whole flow, on the sample app over real HTTP against real MySQL.
describe('sample app: the tutorial flow on MySQL', () => {
  let suite: SampleAppOnMySql;
  let database: TestDatabase;
  let http: HttpClient;

  beforeAll(async () => {
    suite = await startSampleAppOnMySql();
    ({ database, http } = suite);
  }, 180_000);

  afterAll(async () => {
    await suite?.stop();
  });

  it('serves /aaa to anyone and keeps /bbb behind the login, with the tutorial messages', async () => {
    expect(await http.get('/aaa')).toMatchObject({ status: 200, body: 'aaa' });
    const anonymous = await http.get('/bbb');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ statusCode: 401, message: '用户未登录', error: 'Unauthorized' });
    const garbage = await http.get('/bbb', 'not-a-token');
    expect(garbage.body).toEqual({ statusCode: 401, message: 'token 失效，请重新登录', error: 'Unauthorized' });
  });

  it('logs in the seeded demo user, calls /bbb, refreshes (POST and the tutorial GET) and calls /bbb again', async () => {
    const login = await http.post('/user/login', { username: 'guang', password: '123456' });
    expect(login.status).toBe(201);
    expect(login.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 1800,
      refresh_expires_in: 7 * 24 * 3600,
    });
    expect(await http.get('/bbb', login.body.access_token)).toMatchObject({ status: 200, body: 'bbb' });

    const refreshed = await http.post('/user/refresh', { refresh_token: login.body.refresh_token });
    expect(refreshed.status).toBe(201);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
    expect(await http.get('/bbb', refreshed.body.access_token)).toMatchObject({ status: 200, body: 'bbb' });

    const viaQuery = await http.get(`/user/refresh?refresh_token=${encodeURIComponent(refreshed.body.refresh_token)}`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String) });
    expect(await http.get('/bbb', viaQuery.body.access_token)).toMatchObject({ status: 200, body: 'bbb' });
  });

  it('puts the tutorial claims in the access token and only userId in the refresh token', async () => {
    const login = await http.post('/user/login', { username: 'guang', password: '123456' });
    const [accessHeader, access] = decodeJwt(login.body.access_token);
    const [refreshHeader, refresh] = decodeJwt(login.body.refresh_token);
    expect(accessHeader).toMatchObject({ alg: 'HS256', typ: 'at+jwt' });
    expect(access).toMatchObject({ userId: expect.any(Number), username: 'guang', token_type: 'access' });
    expect(access.exp - access.iat).toBe(30 * 60);
    expect(refreshHeader).toMatchObject({ alg: 'HS256', typ: 'rt+jwt' });
    expect(refresh).toMatchObject({ userId: access.userId, token_type: 'refresh', sid: access.sid });
    expect(refresh).not.toHaveProperty('username');
    expect(refresh.exp - refresh.iat).toBe(7 * 24 * 3600);
  });

  it('answers /user/me with the current user from @CurrentUser()', async () => {
    const login = await http.post('/user/login', { username: 'guang', password: '123456' });
    const me = await http.get('/user/me', login.body.access_token);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: expect.any(Number), username: 'guang' });
    expect((await http.get('/user/me')).status).toBe(401);
  });

  it('rejects a wrong password and an unknown user with the same 401', async () => {
    const wrongPassword = await http.post('/user/login', { username: 'guang', password: 'wrong-password' });
    const unknownUser = await http.post('/user/login', { username: 'nobody-here', password: 'wrong-password' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownUser.status).toBe(401);
    expect(unknownUser.body).toEqual(wrongPassword.body);
    expect(JSON.stringify(wrongPassword.body)).not.toMatch(/exist|不存在/);
  });

  it('registers users (201), refuses a taken name (409) and weak passwords (400 naming the rule)', async () => {
    const created = await http.post('/user/register', { username: 'alice', password: 'correct-horse-1' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(Number), username: 'alice' });
    expect((await http.post('/user/register', { username: 'alice', password: 'another-pass-2' })).status).toBe(409);
    const weak = await http.post('/user/register', { username: 'bob', password: '123' });
    expect(weak.status).toBe(400);
    expect(JSON.stringify(weak.body.message)).toMatch(/password must be 8 to 128 characters/);
    const login = await http.post('/user/login', { username: 'alice', password: 'correct-horse-1' });
    expect(login.status).toBe(201);
    expect((await http.get('/user/me', login.body.access_token)).body).toEqual({ id: created.body.id, username: 'alice' });
  });

  it('stores an argon2id hash, never the password, and no tokens in the session table', async () => {
    const login = await http.post('/user/login', { username: 'guang', password: '123456' });
    const users = await database.query<{ username: string; password: string }>('SELECT username, password FROM `user`');
    const guang = users.find((user) => user.username === 'guang')!;
    expect(guang.password).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(users.every((user) => !['123456', 'correct-horse-1'].includes(user.password))).toBe(true);
    const sessions = await database.query<Record<string, unknown>>('SELECT * FROM dual_token_sessions');
    const dump = JSON.stringify(sessions);
    expect(sessions.length).toBeGreaterThan(0);
    for (const token of [login.body.access_token, login.body.refresh_token]) {
      expect(dump).not.toContain(token);
      expect(dump).not.toContain(token.split('.')[2]);
    }
  });
});

function decodeJwt(token: string): [Record<string, any>, Record<string, any>] {
  const [header, payload] = token.split('.');
  return [JSON.parse(Buffer.from(header, 'base64url').toString()), JSON.parse(Buffer.from(payload, 'base64url').toString())];
}
