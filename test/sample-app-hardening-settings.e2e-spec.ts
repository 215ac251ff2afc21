import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient } from './harness/http-client.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

// The sample app's settings from the security issue: REGISTER_MAX_PER_HOUR_PER_IP, TRUST_PROXY, MAX_SESSIONS_PER_USER,
// and bad bodies on its own route (POST /user/register), on the embedded SQLite database.
describe('sample app hardening settings (embedded SQLite)', () => {
  let dataDir: string;
  let sample: RunningSampleApp | undefined;
  let counter = 0;

  async function start(env: Record<string, string> = {}): Promise<HttpClient> {
    sample = await startSampleApp({ SQLITE_PATH: path.join(dataDir, `sample-${(counter += 1)}.sqlite`), ...env });
    return new HttpClient(sample.baseUrl);
  }

  const register = (http: HttpClient, username: string, headers: Record<string, string> = {}) =>
    http.post('/user/register', { username, password: 'password-123' }, undefined, headers);

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sample-hardening-'));
  });
  afterEach(async () => {
    await sample?.close();
    sample = undefined;
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('limits sign-ups per client IP (REGISTER_MAX_PER_HOUR_PER_IP) with 429', async () => {
    const http = await start({ REGISTER_MAX_PER_HOUR_PER_IP: '3' });
    for (const name of ['reg-a', 'reg-b', 'reg-c']) expect((await register(http, name)).status).toBe(201);

    const refused = await register(http, 'reg-d');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('does not limit sign-ups with RATE_LIMIT_ENABLED=false', async () => {
    const http = await start({ REGISTER_MAX_PER_HOUR_PER_IP: '1', RATE_LIMIT_ENABLED: 'false' });
    for (const name of ['free-a', 'free-b', 'free-c']) expect((await register(http, name)).status).toBe(201);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says which proxies to believe', async () => {
    const direct = await start({ REGISTER_MAX_PER_HOUR_PER_IP: '1' });
    expect((await register(direct, 'spoof-a', { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await register(direct, 'spoof-b', { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);
    await sample!.close();

    const behindProxy = await start({ REGISTER_MAX_PER_HOUR_PER_IP: '1', TRUST_PROXY: '1' });
    expect((await register(behindProxy, 'proxied-a', { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await register(behindProxy, 'proxied-b', { 'x-forwarded-for': '203.0.113.2' })).status).toBe(201);
    expect((await register(behindProxy, 'proxied-c', { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);
  });

  it('gives each client behind a trusted proxy its own login budget, so an attacker cannot lock guang out', async () => {
    const http = await start({ TRUST_PROXY: '127.0.0.1', LOGIN_MAX_FAILURES_PER_IP: '5', LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP: '5' });
    const attacker = { 'x-forwarded-for': '198.51.100.66' };
    for (let i = 0; i < 6; i += 1) await http.post('/user/login', { username: `victim-${i}`, password: 'wrong' }, undefined, attacker);
    expect((await http.post('/user/login', { username: 'x', password: 'wrong' }, undefined, attacker)).status).toBe(429);

    const guang = await http.post('/user/login', { username: 'guang', password: '123456' }, undefined, { 'x-forwarded-for': '192.0.2.10' });
    expect(guang.status).toBe(201);
  });

  it('keeps at most MAX_SESSIONS_PER_USER sessions: a further login ends the least recently used', async () => {
    const http = await start({ MAX_SESSIONS_PER_USER: '2' });
    const login = () => http.post('/user/login', { username: 'guang', password: '123456' });
    const first = await login();
    await new Promise((resolve) => setTimeout(resolve, 1100)); // lastUsedAt is kept to the second
    await login();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await login();

    expect((await http.get(`/user/refresh?refresh_token=${encodeURIComponent(first.body.refresh_token)}`)).status).toBe(401);
    expect((await http.get('/user/sessions', (await login()).body.access_token)).body).toHaveLength(2);
  });

  it('answers a deeply nested body on POST /user/register with 400, not 500', async () => {
    const http = await start();
    const nested = '['.repeat(1500) + '1' + ']'.repeat(1500);
    const response = await http.postRaw('/user/register', `{"username":"deep","password":"password-123","x":${nested}}`);
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body.message)).toMatch(/nested more than 32 levels deep/);
  });

  it.each([
    [{ TRUST_PROXY: 'everyone' }, /TRUST_PROXY must be a hop count/],
    [{ MAX_SESSIONS_PER_USER: '0' }, /MAX_SESSIONS_PER_USER must be an integer between 1 and 1000000, got "0"/],
    [{ REGISTER_MAX_PER_HOUR_PER_IP: 'lots' }, /REGISTER_MAX_PER_HOUR_PER_IP must be an integer/],
  ])('refuses to start with %j, naming the variable', async (env, message) => {
    await expect(start(env)).rejects.toThrow(message);
  });
});
