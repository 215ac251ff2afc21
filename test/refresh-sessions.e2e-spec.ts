import { describe, expect, it } from '@jest/globals';
import { HttpClient, type HttpResult } from './harness/http-client.js';
import { useSampleAppsOnMySql } from './harness/sample-apps-on-mysql.js';

// Rotation, reuse detection, logout and the session list on the sample app, over HTTP, against real MySQL.
describe('sample app: refresh sessions on MySQL', () => {
  const apps = useSampleAppsOnMySql();

  async function start(env: Record<string, string> = {}): Promise<HttpClient> {
    return new HttpClient((await apps.start(env)).baseUrl);
  }

  async function login(http: HttpClient, userAgent = 'jest'): Promise<Tokens> {
    const response = await http.post<Tokens>('/user/login', { username: 'guang', password: '123456' }, undefined, {
      'user-agent': userAgent,
    });
    expect(response.status).toBe(201);
    return response.body;
  }


  it('rotates: each refresh returns a new refresh token and the new pair works', async () => {
    const http = await start();
    const first = await login(http);
    const second = (await http.post<Tokens>('/user/refresh', { refresh_token: first.refresh_token })).body;
    const third = (await http.post<Tokens>('/user/refresh', { refresh_token: second.refresh_token })).body;
    expect(new Set([first.refresh_token, second.refresh_token, third.refresh_token]).size).toBe(3);
    expect(claims(third.refresh_token).sid).toBe(claims(first.refresh_token).sid);
    expect(claims(third.refresh_token).gen).toBe(2);
    expect((await http.get('/bbb', third.access_token)).status).toBe(200);
  });

  it('grace window: the previous token again returns interchangeable tokens and both callers keep refreshing', async () => {
    const http = await start();
    const initial = await login(http);
    const winner = await http.post<Tokens>('/user/refresh', { refresh_token: initial.refresh_token });
    const lateTab = await http.post<Tokens>('/user/refresh', { refresh_token: initial.refresh_token });
    expect(winner.status).toBe(201);
    expect(lateTab.status).toBe(201);
    expect(claims(lateTab.body.refresh_token)).toMatchObject({
      sid: claims(winner.body.refresh_token).sid,
      gen: claims(winner.body.refresh_token).gen,
      exp: claims(winner.body.refresh_token).exp, // grace never extends the session
    });
    const winnerNext = await http.post<Tokens>('/user/refresh', { refresh_token: winner.body.refresh_token });
    const lateTabNext = await http.post<Tokens>('/user/refresh', { refresh_token: lateTab.body.refresh_token });
    expect([winnerNext.status, lateTabNext.status]).toEqual([201, 201]);
    expect((await http.get('/bbb', lateTabNext.body.access_token)).status).toBe(200);
  });

  it('reuse outside the grace window revokes the whole family, but not the user’s other sessions', async () => {
    const http = await start({ REFRESH_REUSE_GRACE_SECONDS: '1' });
    const victim = await login(http, 'victim-laptop');
    const otherDevice = await login(http, 'victim-phone');
    const rotated = (await http.post<Tokens>('/user/refresh', { refresh_token: victim.refresh_token })).body;
    await sleep(1300);

    const replay = await http.post('/user/refresh', { refresh_token: victim.refresh_token });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ statusCode: 401, message: 'token 失效，请重新登录', error: 'Unauthorized' });
    // The current token of that family is dead too, and so is its access token.
    expect((await http.post('/user/refresh', { refresh_token: rotated.refresh_token })).status).toBe(401);
    expect((await http.get('/bbb', rotated.access_token)).status).toBe(401);
    // The other device is untouched.
    expect((await http.post('/user/refresh', { refresh_token: otherDevice.refresh_token })).status).toBe(201);
    const [row] = await apps.database.query<{ revoked_reason: string }>(
      'SELECT revoked_reason FROM dual_token_sessions WHERE id = ?',
      [claims(victim.refresh_token).sid],
    );
    expect(row.revoked_reason).toBe('reuse-detected');
  });

  it('an older token than the previous one is reuse even inside the grace window', async () => {
    const http = await start();
    const gen0 = await login(http);
    const gen1 = (await http.post<Tokens>('/user/refresh', { refresh_token: gen0.refresh_token })).body;
    const gen2 = (await http.post<Tokens>('/user/refresh', { refresh_token: gen1.refresh_token })).body;
    expect((await http.post('/user/refresh', { refresh_token: gen0.refresh_token })).status).toBe(401);
    expect((await http.post('/user/refresh', { refresh_token: gen2.refresh_token })).status).toBe(401);
  });

  it('with the grace window off, presenting a rotated token at all revokes the family', async () => {
    const http = await start({ REFRESH_REUSE_GRACE_SECONDS: '0' });
    const gen0 = await login(http);
    const gen1 = (await http.post<Tokens>('/user/refresh', { refresh_token: gen0.refresh_token })).body;
    expect((await http.post('/user/refresh', { refresh_token: gen0.refresh_token })).status).toBe(401);
    expect((await http.post('/user/refresh', { refresh_token: gen1.refresh_token })).status).toBe(401);
  });

  it('a storm of 30 parallel refreshes with one token never forks or revokes the family', async () => {
    const http = await start();
    const initial = await login(http);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => http.post<Tokens>('/user/refresh', { refresh_token: initial.refresh_token })),
    );
    expect(results.map((result) => result.status)).toEqual(Array(30).fill(201));
    // Exactly one rotation happened: every caller holds generation 1 of the same family.
    expect(new Set(results.map((result) => claims(result.body.refresh_token).gen))).toEqual(new Set([1]));
    const [row] = await apps.database.query<{ generation: number; revoked_at: unknown }>(
      'SELECT generation, revoked_at FROM dual_token_sessions WHERE id = ?',
      [claims(initial.refresh_token).sid],
    );
    expect(row).toEqual({ generation: 1, revoked_at: null });
    // Any caller can continue.
    const next = await http.post<Tokens>('/user/refresh', { refresh_token: results[17].body.refresh_token });
    expect(next.status).toBe(201);
  });

  it('two app instances on one database: a parallel storm across both rotates exactly once', async () => {
    const first = await start();
    const second = await start();
    const initial = await login(first);
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        (i % 2 === 0 ? first : second).post<Tokens>('/user/refresh', { refresh_token: initial.refresh_token }),
      ),
    );
    expect(results.every((result) => result.status === 201)).toBe(true);
    expect(new Set(results.map((result) => claims(result.body.refresh_token).gen))).toEqual(new Set([1]));
    const [row] = await apps.database.query<{ generation: number; revoked_at: unknown }>(
      'SELECT generation, revoked_at FROM dual_token_sessions WHERE id = ?',
      [claims(initial.refresh_token).sid],
    );
    expect(row).toEqual({ generation: 1, revoked_at: null });
    // A token from one instance refreshes on the other.
    expect((await second.post('/user/refresh', { refresh_token: results[0].body.refresh_token })).status).toBe(201);
  });

  it('logout revokes the current session: refresh and access token stop working at once', async () => {
    const http = await start();
    const session = await login(http);
    const other = await login(http);
    const logout = await http.post('/user/logout', undefined, session.access_token);
    expect(logout.status).toBe(200);
    expect((await http.get('/bbb', session.access_token)).status).toBe(401);
    expect((await http.post('/user/refresh', { refresh_token: session.refresh_token })).status).toBe(401);
    expect((await http.get('/bbb', other.access_token)).status).toBe(200);
  });

  it('logout with the refresh token in the body works without an access token', async () => {
    const http = await start();
    const session = await login(http);
    expect((await http.post('/user/logout', { refresh_token: session.refresh_token })).status).toBe(200);
    expect((await http.post('/user/refresh', { refresh_token: session.refresh_token })).status).toBe(401);
    expect((await http.post('/user/logout', { refresh_token: 'garbage' })).status).toBe(401);
    expect((await http.post('/user/logout')).status).toBe(401);
  });

  it('logout-all revokes every session of the user', async () => {
    const http = await start();
    const sessions = [await login(http), await login(http), await login(http)];
    const response = await http.post('/user/logout-all', undefined, sessions[0].access_token);
    expect(response.status).toBe(200);
    expect(response.body.revoked).toBeGreaterThanOrEqual(3);
    for (const session of sessions) {
      expect((await http.post('/user/refresh', { refresh_token: session.refresh_token })).status).toBe(401);
      expect((await http.get('/bbb', session.access_token)).status).toBe(401);
    }
  });

  it('lists the user’s live sessions with the current one marked, and deletes one by id (owner only)', async () => {
    const http = await start();
    const laptop = await login(http, 'laptop-browser');
    const phone = await login(http, 'phone-app');
    const list = await http.get<SessionSummary[]>('/user/sessions', laptop.access_token);
    expect(list.status).toBe(200);
    const laptopSid = claims(laptop.access_token).sid;
    const phoneSid = claims(phone.access_token).sid;
    const mine = list.body.find((entry) => entry.id === laptopSid)!;
    expect(mine).toMatchObject({ current: true, userAgent: 'laptop-browser', ip: expect.stringContaining('127.0.0.1') });
    expect(new Date(mine.createdAt).getTime()).not.toBeNaN();
    expect(new Date(mine.lastUsedAt).getTime()).not.toBeNaN();
    expect(list.body.find((entry) => entry.id === phoneSid)).toMatchObject({ current: false, userAgent: 'phone-app' });

    // Another user cannot see or delete guang's sessions.
    await http.post('/user/register', { username: 'mallory', password: 'mallory-pass-1' });
    const mallory = (await http.post<Tokens>('/user/login', { username: 'mallory', password: 'mallory-pass-1' })).body;
    const malloryList = await http.get<SessionSummary[]>('/user/sessions', mallory.access_token);
    expect(malloryList.body.map((entry) => entry.id)).not.toContain(phoneSid);
    expect((await http.delete(`/user/sessions/${phoneSid}`, mallory.access_token)).status).toBe(404);
    expect((await http.get('/bbb', phone.access_token)).status).toBe(200);

    expect((await http.delete(`/user/sessions/${phoneSid}`, laptop.access_token)).status).toBe(200);
    expect((await http.get('/bbb', phone.access_token)).status).toBe(401);
    const after = await http.get<SessionSummary[]>('/user/sessions', laptop.access_token);
    expect(after.body.map((entry) => entry.id)).not.toContain(phoneSid);
    expect((await http.delete('/user/sessions/not-a-uuid', laptop.access_token)).status).toBe(400);
  });

  it('a logout on one instance is enforced by the other within the configured staleness bound', async () => {
    const first = await start({ REVOCATION_CHECK_CACHE_SECONDS: '1' });
    const second = await start({ REVOCATION_CHECK_CACHE_SECONDS: '1' });
    const session = await login(first);
    expect((await second.get('/bbb', session.access_token)).status).toBe(200); // now cached as active on the second
    await first.post('/user/logout', undefined, session.access_token);
    const loggedOutAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - loggedOutAt < 5000) {
      status = (await second.get('/bbb', session.access_token)).status;
      if (status === 200) await sleep(100);
    }
    expect(status).toBe(401);
    expect(Date.now() - loggedOutAt).toBeLessThanOrEqual(1500);
  });

  it('sessions survive a restart of the app', async () => {
    const first = await apps.start();
    const session = await login(new HttpClient(first.baseUrl));
    await first.close();
    const after = await start();
    expect((await after.get('/bbb', session.access_token)).status).toBe(200);
    expect((await after.post('/user/refresh', { refresh_token: session.refresh_token })).status).toBe(201);
  });

  it('refresh fails and the session is revoked once the user is deleted', async () => {
    const http = await start();
    await http.post('/user/register', { username: 'leaving-user', password: 'leaving-pass-1' });
    const session = (await http.post<Tokens>('/user/login', { username: 'leaving-user', password: 'leaving-pass-1' })).body;
    await apps.database.query('DELETE FROM `user` WHERE username = ?', ['leaving-user']);
    expect((await http.post('/user/refresh', { refresh_token: session.refresh_token })).status).toBe(401);
    const [row] = await apps.database.query<{ revoked_reason: string }>('SELECT revoked_reason FROM dual_token_sessions WHERE id = ?', [
      claims(session.refresh_token).sid,
    ]);
    expect(row.revoked_reason).toBe('user-not-found');
  });

  it('the idle timeout is renewed by rotation, the absolute lifetime is not', async () => {
    const http = await start({ JWT_REFRESH_EXPIRES_IN: '3s', SESSION_MAX_AGE: '5s' });
    let tokens = await login(http);
    const loginIat = claims(tokens.refresh_token).iat;
    // Keep the session busy: every refresh renews the 3 s idle timeout, but never past login + 5 s.
    for (let i = 0; i < 4; i += 1) {
      await sleep(1000);
      const refreshed = await http.post<Tokens>('/user/refresh', { refresh_token: tokens.refresh_token });
      expect(refreshed.status).toBe(201);
      tokens = refreshed.body;
    }
    expect(claims(tokens.refresh_token).exp).toBe(loginIat + 5);
    await sleep(Math.max(0, (loginIat + 5) * 1000 - Date.now()) + 200);
    expect((await http.post('/user/refresh', { refresh_token: tokens.refresh_token })).status).toBe(401);

    const idle = await login(http);
    await sleep(3200);
    expect((await http.post('/user/refresh', { refresh_token: idle.refresh_token })).status).toBe(401);
  }, 30_000);
});

interface Tokens {
  access_token: string;
  refresh_token: string;
}

interface SessionSummary {
  id: string;
  createdAt: string;
  lastUsedAt: string;
  userAgent: string | null;
  ip: string | null;
  current: boolean;
}

function claims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export type { HttpResult };
