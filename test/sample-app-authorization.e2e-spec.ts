import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeJwt, nowSeconds, signHmacJwt } from './harness/forge-jwt.js';
import { HttpClient } from './harness/http-client.js';
import { startSampleApp, TEST_ACCESS_SECRET, type RunningSampleApp } from './harness/sample-app-server.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

// The sample app's roles, GET /admin, the seeded administrator, step-up and POST /user/password (embedded SQLite).
describe('sample app: roles, step-up and password change (embedded SQLite)', () => {
  let dataDir: string;
  let sample: RunningSampleApp | undefined;
  let counter = 0;

  async function start(env: Record<string, string> = {}): Promise<HttpClient> {
    sample = await startSampleApp({ SQLITE_PATH: path.join(dataDir, `sample-${(counter += 1)}.sqlite`), ...env });
    return new HttpClient(sample.baseUrl);
  }

  async function login(http: HttpClient, username: string, password: string): Promise<Tokens> {
    const response = await http.post<Tokens>('/user/login', { username, password });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** The same access token, re-signed as if the password had been proved `ageSeconds` ago. */
  function withOldLogin(token: string, ageSeconds: number): string {
    const { header, payload } = decodeJwt(token);
    return signHmacJwt(header, { ...payload, auth_time: nowSeconds() - ageSeconds }, TEST_ACCESS_SECRET);
  }

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sample-authorization-'));
  });
  afterEach(async () => {
    await sample?.close();
    sample = undefined;
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /admin: 401 without a token, 403 for guang (role user), 200 for the seeded admin', async () => {
    const http = await start({ SEED_DEMO_ADMIN: 'true', DEMO_ADMIN_PASSWORD: 'admin-pass-1' });
    expect((await http.get('/admin')).status).toBe(401);

    const guang = await login(http, 'guang', '123456');
    expect(decodeJwt(guang.access_token).payload.roles).toEqual(['user']);
    const refused = await http.get('/admin', guang.access_token);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ statusCode: 403, message: 'You are not allowed to do this', error: 'Forbidden' });

    const admin = await login(http, 'admin', 'admin-pass-1');
    expect(decodeJwt(admin.access_token).payload.roles).toEqual(['admin']);
    const allowed = await http.get('/admin', admin.access_token);
    expect(allowed.status).toBe(200);
    expect(allowed.body).toEqual({ admin: 'admin' });
  });

  it('new users get the role user; without SEED_DEMO_ADMIN there is no admin', async () => {
    const http = await start();
    expect((await http.post('/user/register', { username: 'newbie', password: 'password-123' })).status).toBe(201);
    const newbie = await login(http, 'newbie', 'password-123');
    expect(decodeJwt(newbie.access_token).payload.roles).toEqual(['user']);
    expect((await http.get('/admin', newbie.access_token)).status).toBe(403);
    expect((await http.post('/user/login', { username: 'admin', password: 'admin-pass-1' })).status).toBe(401);
  });

  it('POST /user/password ends every other session, keeps the current one, and needs a recent login', async () => {
    const http = await start();
    expect((await http.post('/user/register', { username: 'changer', password: 'old-pass-1' })).status).toBe(201);
    const laptop = await login(http, 'changer', 'old-pass-1');
    const phone = await login(http, 'changer', 'old-pass-1');
    const tablet = await login(http, 'changer', 'old-pass-1');
    const change = (token: string, body: unknown) => http.post('/user/password', body, token);

    const stale = await change(withOldLogin(laptop.access_token, 600), { current_password: 'old-pass-1', new_password: 'new-pass-2' });
    expect(stale.status).toBe(401);
    expect(stale.headers.get('www-authenticate')).toBe('Bearer error="insufficient_user_authentication", max_age=300');

    const wrong = await change(laptop.access_token, { current_password: 'not-it-1', new_password: 'new-pass-2' });
    expect(wrong.status).toBe(401);
    const weak = await change(laptop.access_token, { current_password: 'old-pass-1', new_password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toEqual(['new_password must be 8 to 128 characters long and contain at least one letter and one digit']);
    // Neither failure changed anything or ended a session.
    expect((await http.get('/bbb', phone.access_token)).status).toBe(200);

    const changed = await change(laptop.access_token, { current_password: 'old-pass-1', new_password: 'new-pass-2' });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ revokedSessions: 2 });

    for (const other of [phone, tablet]) {
      expect((await http.get('/bbb', other.access_token)).status).toBe(401);
      expect((await http.post('/user/refresh', { refresh_token: other.refresh_token })).status).toBe(401);
    }
    expect((await http.get('/bbb', laptop.access_token)).status).toBe(200);
    expect((await http.post('/user/refresh', { refresh_token: laptop.refresh_token })).status).toBe(201);
    expect((await http.post('/user/login', { username: 'changer', password: 'old-pass-1' })).status).toBe(401);
    await login(http, 'changer', 'new-pass-2');
  });

  it('POST /user/reauthenticate renews a stale login so the password change goes through', async () => {
    const http = await start();
    const guang = await login(http, 'guang', '123456');
    const stale = withOldLogin(guang.access_token, 3600);
    expect((await http.post('/user/password', { current_password: '123456', new_password: 'guang-pass-1' }, stale)).status).toBe(401);

    const renewed = await http.post<Tokens>('/user/reauthenticate', { password: '123456' }, stale);
    expect(renewed.status).toBe(201);
    expect(decodeJwt(renewed.body.access_token).payload.sid).toBe(decodeJwt(guang.access_token).payload.sid);
    const changed = await http.post('/user/password', { current_password: '123456', new_password: 'guang-pass-1' }, renewed.body.access_token);
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ revokedSessions: 0 });
  });
});
