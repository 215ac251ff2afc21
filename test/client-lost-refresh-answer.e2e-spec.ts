import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createAuthSession,
  MemoryTokenStorage,
  RefreshFailedError,
  type AuthSession,
  type AuthSessionEvents,
  type FetchLike,
} from 'nestjs-dual-token-auth/client';
import { decodeJwt } from './harness/forge-jwt.js';
import { HttpClient } from './harness/http-client.js';
import { startTestDatabase, type TestDatabase } from './harness/mysql-database.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

// Issue 17 item 3, against the real sample app (default reuseGraceSeconds: 10) on MySQL with 2 s access tokens: the
// server rotates the refresh token, but the answer never reaches the client. The client must fetch the rotated pair
// while the server still forgives the previous refresh token; otherwise the server takes the next use of it for
// token theft and revokes the session.
describe('client after a lost refresh answer, against the sample app on MySQL', () => {
  let database: TestDatabase;
  let api: RunningSampleApp;
  let http: HttpClient;
  const sessions: AuthSession[] = [];

  beforeAll(async () => {
    database = await startTestDatabase();
    api = await startSampleApp({ DATABASE_URL: database.url, JWT_ACCESS_EXPIRES_IN: '2s' });
    http = new HttpClient(api.baseUrl);
  }, 180_000);

  afterAll(async () => {
    for (const session of sessions) session.dispose();
    await api?.close();
    await database?.stop();
  });

  let users = 0;
  async function loggedIn(fetchImpl: FetchLike): Promise<{ session: AuthSession; ended: AuthSessionEvents['sessionEnded'][] }> {
    const user = { username: `lost_answer_${++users}_${Date.now().toString(36)}`, password: 'client-passw0rd' };
    expect((await http.post('/user/register', user)).status).toBe(201);
    const session = createAuthSession({
      baseUrl: api.baseUrl,
      storage: new MemoryTokenStorage(),
      fetch: fetchImpl,
      proactiveRefresh: false,
    });
    sessions.push(session);
    const ended: AuthSessionEvents['sessionEnded'][] = [];
    session.on('sessionEnded', (event) => ended.push(event));
    const { accessToken } = await session.login(user.username, user.password);
    await sleep(decodeJwt(accessToken).payload.exp * 1000 - Date.now() + 50); // the access token is now expired
    return { session, ended };
  }

  /** Real fetch; the first refresh reaches the server (which rotates), then `lose` decides what the client sees. */
  function losingFirstRefreshAnswer(lose: (answer: Response) => Promise<Response>): { fetch: FetchLike; refreshes: () => number } {
    let refreshes = 0;
    return {
      refreshes: () => refreshes,
      fetch: async (input, init) => {
        const isRefresh = String(input).endsWith('/user/refresh');
        const response = await fetch(input, init);
        if (!isRefresh) return response;
        refreshes++;
        if (refreshes > 1) return response;
        expect(response.status).toBe(201); // the server did rotate
        return lose(response);
      },
    };
  }

  it('connection breaks after the server rotated: the session recovers in the background and is still logged in after the grace window', async () => {
    const wire = losingFirstRefreshAnswer(async (answer) => {
      await answer.body?.cancel();
      throw new TypeError('fetch failed');
    });
    const { session, ended } = await loggedIn(wire.fetch);

    const failed = await session.fetch(`${api.baseUrl}/bbb`).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(RefreshFailedError);
    expect(failed).toMatchObject({ kind: 'network' });

    await sleep(12_000); // beyond the server's 10 s grace
    const response = await session.fetch(`${api.baseUrl}/bbb`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('bbb');
    expect(wire.refreshes()).toBeGreaterThanOrEqual(2);
    expect(ended).toEqual([]);
  }, 60_000);

  it('the answer is held until the client gives up (default timeout): the retry still lands inside the grace window', async () => {
    const wire = losingFirstRefreshAnswer(
      (answer) => new Promise<Response>((resolve) => setTimeout(() => resolve(answer), 15_000).unref()),
    );
    const { session, ended } = await loggedIn(wire.fetch);

    const failed = await session.fetch(`${api.baseUrl}/bbb`).catch((error: unknown) => error);
    expect(failed).toMatchObject({ name: 'RefreshFailedError', kind: 'timeout' });

    await sleep(11_000);
    const response = await session.fetch(`${api.baseUrl}/bbb`);
    expect(response.status).toBe(200);
    expect(ended).toEqual([]);
  }, 60_000);
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
