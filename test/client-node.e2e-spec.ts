import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import axios from 'axios';
import {
  createAuthSession,
  installAxiosInterceptors,
  MemoryTokenStorage,
  RefreshFailedError,
  SessionEndedError,
  type AuthSession,
  type AuthSessionEvents,
  type AuthSessionOptions,
  type FetchLike,
} from 'nestjs-dual-token-auth/client';
import { createSampleApp } from '../sample-app/create-sample-app.js';
import { decodeJwt } from './harness/forge-jwt.js';
import { HttpClient } from './harness/http-client.js';
import { startTestDatabase, type TestDatabase } from './harness/mysql-database.js';
import {
  startSampleApp,
  TEST_ACCESS_SECRET,
  TEST_REFRESH_SECRET,
  type RunningSampleApp,
} from './harness/sample-app-server.js';

// The client (nestjs-dual-token-auth/client) in Node, against the real sample app over HTTP on real MySQL. Access
// tokens live 2 s, so "expired" means really expired at the server. Every request the client sends goes through a
// recording fetch, so "one refresh" is counted on the wire, and the server's rotation counter is read from MySQL.
describe('client in Node against the sample app on MySQL', () => {
  let database: TestDatabase;
  let api: RunningSampleApp;
  let http: HttpClient;
  const sessions: AuthSession[] = [];
  const extraApps: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    database = await startTestDatabase();
    api = await startSampleApp({ DATABASE_URL: database.url, JWT_ACCESS_EXPIRES_IN: '2s' });
    http = new HttpClient(api.baseUrl);
  }, 180_000);

  afterAll(async () => {
    for (const session of sessions) session.dispose();
    for (const app of extraApps) await app.close().catch(() => {});
    await api?.close();
    await database?.stop();
  });

  /** A fresh user per test, so logging out everywhere in one test never touches another test's sessions. */
  let users = 0;
  async function newUser(): Promise<{ username: string; password: string }> {
    const user = { username: `client_node_${++users}_${Date.now().toString(36)}`, password: 'client-passw0rd' };
    const registered = await http.post('/user/register', user);
    expect(registered.status).toBe(201);
    return user;
  }

  function newSession(options: Partial<AuthSessionOptions> & { fetch: FetchLike }): AuthSession {
    const session = createAuthSession({ baseUrl: api.baseUrl, storage: new MemoryTokenStorage(), ...options });
    sessions.push(session);
    return session;
  }

  /** Waits until the access token is past its `exp` at the server, and checks that the server agrees. */
  async function waitUntilExpired(accessToken: string): Promise<void> {
    const expiresAt = decodeJwt(accessToken).payload.exp * 1000;
    await sleep(Math.max(0, expiresAt - Date.now() + 50));
    const probe = await http.get('/bbb', accessToken);
    expect(probe.status).toBe(401);
  }

  async function rotationsOf(refreshToken: string): Promise<number> {
    const sid = decodeJwt(refreshToken).payload.sid as string;
    const [row] = await database.query<{ generation: number }>('SELECT generation FROM dual_token_sessions WHERE id = ?', [sid]);
    return Number(row!.generation);
  }

  it('expired access token + 10 concurrent calls to /bbb: 10 successes and exactly one refresh reaching the server', async () => {
    const user = await newUser();
    const wire = recordingFetch();
    const session = newSession({ fetch: wire.fetch, proactiveRefresh: false });
    const { accessToken, refreshToken } = await session.login(user.username, user.password);
    await waitUntilExpired(accessToken);
    wire.clear();

    const responses = await Promise.all(Array.from({ length: 10 }, () => session.fetch(`${api.baseUrl}/bbb`)));

    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await Promise.all(responses.map((r) => r.text()))).toEqual(Array(10).fill('bbb'));
    // On the wire: all ten went out with the expired token and got 401, one refresh, ten replays with the new token.
    expect(wire.count('POST', '/user/refresh')).toBe(1);
    expect(wire.count('GET', '/bbb', 401)).toBe(10);
    expect(wire.count('GET', '/bbb', 200)).toBe(10);
    const newToken = (await session.getAccessToken())!;
    expect(wire.calls.filter((c) => c.status === 200).every((c) => c.authorization === `Bearer ${newToken}`)).toBe(true);
    expect(session.refreshCount).toBe(1);
    // At the server: the session's refresh token was rotated exactly once.
    expect(await rotationsOf(refreshToken!)).toBe(1);
  }, 30_000);

  it('the same through axios with installAxiosInterceptors: 10 successes, one refresh', async () => {
    const user = await newUser();
    const wire = recordingFetch();
    const session = newSession({ fetch: wire.fetch, proactiveRefresh: false });
    const client = axios.create({ baseURL: api.baseUrl });
    let bbbRequests = 0;
    client.interceptors.request.use((config) => {
      if (config.url === '/bbb') bbbRequests++;
      return config;
    });
    installAxiosInterceptors(client, session);
    const { accessToken } = await session.login(user.username, user.password);
    await waitUntilExpired(accessToken);
    wire.clear();

    const responses = await Promise.all(Array.from({ length: 10 }, () => client.get<string>('/bbb')));

    expect(responses.map((r) => [r.status, r.data])).toEqual(Array(10).fill([200, 'bbb']));
    expect(wire.count('POST', '/user/refresh')).toBe(1);
    expect(bbbRequests).toBe(20); // each request: the 401 with the expired token, then one replay
    expect(session.refreshCount).toBe(1);
  }, 30_000);

  it('refresh rejected (the user logged out everywhere from another device): all 10 reject with SessionEndedError, ended fires once', async () => {
    const user = await newUser();
    const wire = recordingFetch();
    const storage = new MemoryTokenStorage();
    const session = newSession({ fetch: wire.fetch, storage, proactiveRefresh: false });
    const ended = collect(session, 'ended');
    const sessionEnded = collect(session, 'sessionEnded');
    await session.login(user.username, user.password);
    expect((await session.fetch(`${api.baseUrl}/bbb`)).status).toBe(200);

    const otherDevice = await http.post('/user/login', user);
    const logoutAll = await http.post('/user/logout-all', undefined, otherDevice.body.access_token);
    expect(logoutAll).toMatchObject({ status: 200, body: { revoked: 2 } });
    wire.clear();

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => session.fetch(`${api.baseUrl}/bbb`)));

    expect(results.map((r) => r.status)).toEqual(Array(10).fill('rejected'));
    for (const result of results) {
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(SessionEndedError);
      expect(error).toMatchObject({ reason: 'refresh-rejected', status: 401, code: 'SESSION_ENDED' });
    }
    expect(ended).toHaveLength(1);
    expect(sessionEnded).toHaveLength(1);
    expect(ended[0]).toMatchObject({ reason: 'refresh-rejected', status: 401 });
    expect(wire.count('POST', '/user/refresh')).toBe(1); // one attempt, not one per request
    expect(wire.count('POST', '/user/refresh', 401)).toBe(1);
    expect(session.isAuthenticated).toBe(false);
    expect(await session.getTokens()).toBeNull();
    expect(storage.get()).toBeNull();

    // Later calls pass the server's 401 through (there is no session to refresh) and nothing is retried.
    const after = await session.fetch(`${api.baseUrl}/bbb`);
    expect(after.status).toBe(401);
    expect(wire.count('POST', '/user/refresh')).toBe(1);
    expect(ended).toHaveLength(1);
  }, 30_000);

  it('refresh rejected because the stored refresh token was tampered with: SessionEndedError for all, ended once', async () => {
    const user = await newUser();
    const wire = recordingFetch();
    const storage = new MemoryTokenStorage();
    const session = newSession({ fetch: wire.fetch, storage, proactiveRefresh: false });
    const ended = collect(session, 'ended');
    const { accessToken, refreshToken } = await session.login(user.username, user.password);
    // Someone edits the stored refresh token (e.g. another userId in the payload, original signature).
    const [header, payload, signature] = refreshToken!.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, userId: 1 })).toString('base64url')}.${signature}`;
    await session.setTokens({ accessToken, refreshToken: forged });
    await waitUntilExpired(accessToken);
    wire.clear();

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => session.fetch(`${api.baseUrl}/bbb`)));

    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof SessionEndedError)).toBe(true);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ reason: 'refresh-rejected', status: 401 });
    expect(wire.count('POST', '/user/refresh')).toBe(1);
    expect(session.isAuthenticated).toBe(false);
  }, 30_000);

  it('auth server down during the refresh: RefreshFailedError (retryable) for all 10, tokens kept, and they work once it is back', async () => {
    const user = await newUser();
    // A second instance of the app on the same database handles login/refresh; the API stays on the first one.
    const authPort = await listenSampleApp(0);
    const authUrl = `http://127.0.0.1:${authPort.port}`;
    const wire = recordingFetch();
    const storage = new MemoryTokenStorage();
    const session = newSession({
      fetch: wire.fetch,
      storage,
      proactiveRefresh: false,
      loginUrl: `${authUrl}/user/login`,
      refreshUrl: `${authUrl}/user/refresh`,
      logoutUrl: `${authUrl}/user/logout`,
    });
    const ended = collect(session, 'ended');
    const refreshFailed = collect(session, 'refreshFailed');
    const before = await session.login(user.username, user.password);
    await authPort.close(); // the auth server goes down
    await waitUntilExpired(before.accessToken);
    wire.clear();

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => session.fetch(`${api.baseUrl}/bbb`)));

    expect(results.map((r) => r.status)).toEqual(Array(10).fill('rejected'));
    for (const result of results) {
      const error = (result as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(RefreshFailedError);
      expect(error).toMatchObject({ kind: 'network', retryable: true, code: 'REFRESH_FAILED' });
    }
    expect(wire.count('POST', '/user/refresh', 'network-error')).toBe(1);
    expect(refreshFailed).toHaveLength(1);
    expect(ended).toHaveLength(0);
    // Nothing was thrown away: the same pair is still held and stored.
    expect(session.isAuthenticated).toBe(true);
    expect(await session.getTokens()).toEqual(before);
    expect(storage.get()).toEqual(before);

    // The auth server comes back on the same address: the kept refresh token still works, one refresh for ten calls.
    const restarted = await listenSampleApp(authPort.port);
    wire.clear();
    const retry = await Promise.all(Array.from({ length: 10 }, () => session.fetch(`${api.baseUrl}/bbb`)));
    expect(retry.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(wire.count('POST', '/user/refresh', 201)).toBe(1);
    expect(wire.count('POST', '/user/refresh')).toBe(1);
    await restarted.close();
  }, 40_000);

  it('proactive refresh: tokens are renewed before they expire and no request ever meets a 401', async () => {
    // Its own instance with 4 s access tokens (same database), so each lifetime leaves room for the lead time.
    const proactiveApp = await startSampleApp({ DATABASE_URL: database.url, JWT_ACCESS_EXPIRES_IN: '4s' });
    extraApps.push(proactiveApp);
    const user = await newUser();
    const wire = recordingFetch();
    const session = newSession({ baseUrl: proactiveApp.baseUrl, fetch: wire.fetch }); // proactiveRefresh defaults to on
    const refreshes: { at: number; trigger: string; replacedExpiresAt: number }[] = [];
    let current = '';
    session.on('tokensChanged', (event) => {
      if (event.source === 'refresh' && event.tokens) {
        // Fired before `refreshed`; remember what the replaced token's real expiry (JWT exp, server clock) was.
        refreshes.push({ at: Date.now(), trigger: '', replacedExpiresAt: decodeJwt(current).payload.exp * 1000 });
      }
      current = event.tokens?.accessToken ?? '';
    });
    session.on('refreshed', (event) => (refreshes[refreshes.length - 1]!.trigger = event.trigger));
    await session.login(user.username, user.password);
    const firstExpiry = decodeJwt(current).payload.exp * 1000;

    // The app keeps calling /bbb every 100 ms for two token lifetimes.
    const seenByApp: number[] = [];
    const until = Date.now() + 8_000;
    while (Date.now() < until) {
      const response = await session.fetch(`${proactiveApp.baseUrl}/bbb`);
      seenByApp.push(response.status);
      await response.text();
      await sleep(100);
    }

    expect(seenByApp.length).toBeGreaterThan(30);
    expect(new Set(seenByApp)).toEqual(new Set([200]));
    // Not even the wire saw a 401: every request carried a live token, no refresh was ever reactive.
    expect(wire.count('GET', '/bbb', 401)).toBe(0);
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
    for (const refresh of refreshes) {
      expect(refresh.trigger).toBe('proactive');
      expect(refresh.at).toBeLessThan(refresh.replacedExpiresAt);
    }
    expect(refreshes[0]!.at).toBeLessThan(firstExpiry);
    expect(wire.count('POST', '/user/refresh', 201)).toBe(refreshes.length);
    expect(session.refreshCount).toBe(refreshes.length);
  }, 30_000);

  it('a request in flight while a refresh completes is replayed with the new token, without a second refresh', async () => {
    const user = await newUser();
    const wire = recordingFetch();
    // The first /bbb response is held back (as if the network were slow) until the test lets it through.
    let holdFirstBbb = true;
    let releaseResponse!: () => void;
    const responseHeld = new Promise<void>((resolve) => (releaseResponse = resolve));
    let reachedServer!: () => void;
    const sentAndAnswered = new Promise<void>((resolve) => (reachedServer = resolve));
    const slowFetch: FetchLike = async (input, init) => {
      const response = await wire.fetch(input, init);
      if (holdFirstBbb && requestPath(input) === '/bbb') {
        holdFirstBbb = false;
        reachedServer();
        await responseHeld;
      }
      return response;
    };
    const session = newSession({ fetch: slowFetch, proactiveRefresh: false });
    const { accessToken: oldToken } = await session.login(user.username, user.password);
    await waitUntilExpired(oldToken);
    wire.clear();

    const inFlight = session.fetch(`${api.baseUrl}/bbb`); // goes out with the expired token
    await sentAndAnswered; // the server has answered 401, the client has not seen it yet
    const refreshed = await session.refresh(); // meanwhile something else refreshes (another request, a timer)
    expect(refreshed.accessToken).not.toBe(oldToken);
    releaseResponse();
    const response = await inFlight;

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('bbb');
    expect(wire.count('POST', '/user/refresh')).toBe(1); // the late 401 did not cause a second refresh
    const bbbCalls = wire.calls.filter((c) => c.path === '/bbb');
    expect(bbbCalls.map((c) => [c.status, c.authorization])).toEqual([
      [401, `Bearer ${oldToken}`],
      [200, `Bearer ${refreshed.accessToken}`],
    ]);
    expect(session.refreshCount).toBe(1);
  }, 30_000);

  /** Starts another sample app on the same database on `port` (0 = any), exactly like the harness does. */
  async function listenSampleApp(port: number): Promise<{ port: number; close(): Promise<void> }> {
    const app = await createSampleApp(
      {
        DATABASE_URL: database.url,
        JWT_ACCESS_SECRET: TEST_ACCESS_SECRET,
        JWT_REFRESH_SECRET: TEST_REFRESH_SECRET,
        JWT_ACCESS_EXPIRES_IN: '2s',
        SEED_DEMO_USER: 'false',
      },
      { logger: false },
    );
    await app.listen(port, '127.0.0.1');
    let closed = false;
    const close = async (): Promise<void> => {
      if (closed) return;
      closed = true;
      await app.close();
    };
    extraApps.push({ close });
    return { port: (app.getHttpServer().address() as { port: number }).port, close };
  }
});

// ---------------------------------------------------------------------------------------------------------------------

interface WireCall {
  method: string;
  path: string;
  authorization: string | null;
  status: number | 'network-error';
}

/** A fetch that forwards to the real one and records every request the client sends and what came back. */
function recordingFetch(): {
  fetch: FetchLike;
  calls: WireCall[];
  clear(): void;
  count(method: string, path: string, status?: WireCall['status']): number;
} {
  const calls: WireCall[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const call: WireCall = {
      method: (init?.method ?? request?.method ?? 'GET').toUpperCase(),
      path: requestPath(input),
      authorization: new Headers(init?.headers ?? request?.headers).get('authorization'),
      status: 'network-error',
    };
    calls.push(call);
    const response = await fetch(input, init);
    call.status = response.status;
    return response;
  };
  return {
    fetch: fetchImpl,
    calls,
    clear: () => void calls.splice(0),
    count: (method, path, status) =>
      calls.filter((c) => c.method === method && c.path === path && (status === undefined || c.status === status)).length,
  };
}

function requestPath(input: RequestInfo | URL): string {
  return new URL(input instanceof Request ? input.url : String(input)).pathname;
}

function collect<K extends keyof AuthSessionEvents>(session: AuthSession, event: K): AuthSessionEvents[K][] {
  const seen: AuthSessionEvents[K][] = [];
  session.on(event, (payload) => seen.push(payload));
  return seen;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
