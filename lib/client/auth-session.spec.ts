import { beforeEach, describe, expect, it } from '@jest/globals';
import {
  createAuthSession,
  LocalStorageTokenStorage,
  LoginFailedError,
  MemoryTokenStorage,
  RefreshFailedError,
  SessionEndedError,
  type AuthSession,
  type AuthSessionEvents,
  type AuthSessionOptions,
  type FetchLike,
  type StorageLike,
} from './index.js';
import { deferred, FakeAuthServer, flush, makeJwt, ManualClock, type FakeAuthServerOptions } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);
const API = 'https://api.test/api';

function setup(options: Partial<AuthSessionOptions> = {}, serverOptions: Partial<FakeAuthServerOptions> = {}) {
  const clock = new ManualClock(START);
  const server = new FakeAuthServer({ clock, ...serverOptions });
  const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, ...options });
  const events = recordEvents(session);
  return { clock, server, session, events };
}

type Recorded = { [K in keyof AuthSessionEvents]: AuthSessionEvents[K][] };

function recordEvents(session: AuthSession): Recorded {
  const recorded: Recorded = {
    tokensChanged: [],
    refreshed: [],
    refreshFailed: [],
    sessionEnded: [],
    ended: [],
    loggedOut: [],
  };
  for (const name of Object.keys(recorded) as (keyof AuthSessionEvents)[]) {
    session.on(name, (payload) => (recorded[name] as unknown[]).push(payload));
  }
  return recorded;
}

/** Settles a promise into a tagged result so assertions can look at many outcomes at once. */
async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

function bearer(token: string): string {
  return `Bearer ${token}`;
}

describe('AuthSession login', () => {
  it('posts the credentials as JSON and keeps the returned tokens', async () => {
    const { server, session, events } = setup();
    const tokens = await session.login('alice', 'secret');

    const login = server.requests[0]!;
    expect(login.method).toBe('POST');
    expect(login.url).toBe('https://api.test/user/login');
    expect(JSON.parse(login.body)).toEqual({ username: 'alice', password: 'secret' });
    expect(login.headers['content-type']).toBe('application/json');
    expect(session.isAuthenticated).toBe(true);
    expect(await session.getAccessToken()).toBe(tokens.accessToken);
    expect(tokens.refreshToken).toBe('refresh-1');
    // expires_in 900 counts whole seconds from a truncated issue time: the earliest possible expiry is kept.
    expect(tokens.accessExpiresAt).toBe(START + 899_000);
    expect(events.tokensChanged.map((e) => e.source)).toEqual(['login']);
  });

  it('rejects wrong credentials with LoginFailedError(status 401) and stays logged out', async () => {
    const { session } = setup();
    const result = await outcome(session.login('alice', 'wrong'));
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(LoginFailedError);
    expect((error as LoginFailedError).status).toBe(401);
    expect(session.isAuthenticated).toBe(false);
  });

  it('uses a configurable path prefix and explicit endpoint URLs', async () => {
    const calls: string[] = [];
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const fetch: FetchLike = (input, init) => {
      const url = String(input);
      calls.push(url);
      // Route the custom paths to the fake server's fixed ones.
      return server.fetch(url.replace('/auth/sign-in', '/user/login').replace('/v2/auth/', '/user/'), init);
    };
    const session = createAuthSession({
      baseUrl: 'https://api.test/v2/',
      pathPrefix: '/auth/',
      loginUrl: 'https://api.test/auth/sign-in',
      fetch,
      clock,
    });
    expect(session.refreshUrl).toBe('https://api.test/v2/auth/refresh');
    expect(session.logoutUrl).toBe('https://api.test/v2/auth/logout');
    await session.login('alice', 'secret');
    await session.refresh();
    expect(calls).toEqual(['https://api.test/auth/sign-in', 'https://api.test/v2/auth/refresh']);
  });

  it('refuses a relative baseUrl outside a browser', () => {
    expect(() => createAuthSession({ baseUrl: '/api' })).toThrow(TypeError);
  });
});

describe('AuthSession single-flight refresh', () => {
  it('turns 10 concurrent 401s into exactly one refresh and replays all 10 with the new token', async () => {
    const { server, session, events } = setup();
    const { accessToken: oldToken } = await session.login('alice', 'secret');
    server.expireAllAccess();
    const gate = deferred();
    server.refreshGate = gate.promise;

    const responses = Promise.all(Array.from({ length: 10 }, (_, i) => session.fetch(`${API}/items/${i}`)));
    await flush();
    expect(server.refreshCalls).toBe(1);
    gate.resolve();
    const results = await responses;

    const newToken = await session.getAccessToken();
    expect(newToken).not.toBe(oldToken);
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(server.refreshCalls).toBe(1);
    const replays = server.apiRequests.slice(10);
    expect(replays).toHaveLength(10);
    expect(replays.every((r) => r.headers['authorization'] === bearer(newToken!))).toBe(true);
    expect(server.apiRequests.slice(0, 10).every((r) => r.headers['authorization'] === bearer(oldToken))).toBe(true);
    expect(events.refreshed).toHaveLength(1);
    expect(events.refreshed[0]).toMatchObject({ refreshCount: 1, trigger: 'unauthorized' });
    expect(session.refreshCount).toBe(1);
    expect(JSON.parse(server.requests.find((r) => r.path === '/user/refresh')!.body)).toEqual({
      refresh_token: 'refresh-1',
    });
  });

  it('replays a late 401 (sent with the old token, answered after the refresh finished) without refreshing again', async () => {
    const { server, session } = setup();
    const { accessToken: oldToken } = await session.login('alice', 'secret');
    server.expireAllAccess();
    const slowGate = deferred();
    server.apiGate = (req) => (req.path === '/api/slow' && req.headers['authorization'] === bearer(oldToken) ? slowGate.promise : undefined);

    const slow = session.fetch(`${API}/slow`);
    await flush();
    const fast = await session.fetch(`${API}/fast`);
    expect(fast.status).toBe(200);
    expect(server.refreshCalls).toBe(1);

    slowGate.resolve();
    const slowResponse = await slow;
    expect(slowResponse.status).toBe(200);
    expect(server.refreshCalls).toBe(1);
    const slowCalls = server.apiRequests.filter((r) => r.path === '/api/slow');
    expect(slowCalls.map((r) => r.headers['authorization'])).toEqual([bearer(oldToken), bearer((await session.getAccessToken())!)]);
  });

  it('replays at most once: a second 401 after the replay is returned as is, with no further refresh', async () => {
    const { server, session } = setup();
    await session.login('alice', 'secret');
    server.expireAllAccess();
    // The server keeps rejecting even freshly issued tokens (e.g. the user was disabled).
    // Bounded so that a looping implementation ends (with a 200) and fails the assertions instead of hanging.
    session.on('refreshed', (e) => e.refreshCount <= 3 && server.expireAllAccess());

    const response = await session.fetch(`${API}/items`);
    expect(response.status).toBe(401);
    expect(server.refreshCalls).toBe(1);
    expect(server.apiRequests).toHaveLength(2);
  });

  it('passes a 401 through untouched when there is no session', async () => {
    const { server, session } = setup();
    const response = await session.fetch(`${API}/items`);
    expect(response.status).toBe(401);
    expect(server.apiRequests[0]!.headers['authorization']).toBeUndefined();
    expect(server.refreshCalls).toBe(0);
  });

  it('refresh() on demand rotates the pair and reports the new expiry', async () => {
    const { server, session, clock, events } = setup();
    await session.login('alice', 'secret');
    clock.advance(60_000);
    const tokens = await session.refresh();
    expect(tokens.refreshToken).toBe('refresh-2');
    expect(tokens.accessExpiresAt).toBe(START + 60_000 + 899_000);
    expect(events.refreshed[0]).toMatchObject({ trigger: 'manual', accessExpiresAt: START + 60_000 + 899_000 });
    expect(server.currentRefresh).toBe('refresh-2');
  });
});

describe('AuthSession error contract', () => {
  it('ends the session when the refresh is rejected: every waiter gets SessionEndedError, ended fires once', async () => {
    const storage = new MemoryTokenStorage();
    const { server, session, events } = setup({ storage });
    await session.login('alice', 'secret');
    server.expireAllAccess();
    server.refreshBehavior = 'reject';

    const results = await Promise.all(Array.from({ length: 5 }, () => outcome(session.fetch(`${API}/items`))));

    for (const result of results) {
      expect(result.ok).toBe(false);
      const error = (result as { error: unknown }).error;
      expect(error).toBeInstanceOf(SessionEndedError);
      expect(error).toMatchObject({ reason: 'refresh-rejected', status: 401, code: 'SESSION_ENDED' });
    }
    expect(server.refreshCalls).toBe(1);
    expect(events.sessionEnded).toHaveLength(1);
    expect(events.ended).toHaveLength(1);
    expect(events.sessionEnded[0]).toMatchObject({ reason: 'refresh-rejected', status: 401 });
    expect(events.loggedOut).toHaveLength(0);
    expect(session.isAuthenticated).toBe(false);
    expect(await session.getAccessToken()).toBeNull();
    await flush();
    expect(storage.get()).toBeNull();
    expect(events.tokensChanged.at(-1)).toEqual({ tokens: null, source: 'ended' });

    // Afterwards requests go out without a token and their 401 is final: no refresh storm, no second event.
    const after = await session.fetch(`${API}/items`);
    expect(after.status).toBe(401);
    expect(server.refreshCalls).toBe(1);
    expect(events.sessionEnded).toHaveLength(1);
  });

  it.each([400, 403])('treats HTTP %i from the refresh endpoint as a rejected session', async (status) => {
    const { server, session, events } = setup();
    await session.login('alice', 'secret');
    const fetchWithStatus: FetchLike = async (input, init) =>
      String(input).endsWith('/user/refresh') ? new Response('{}', { status }) : server.fetch(input, init);
    const other = createAuthSession({ baseUrl: server.origin, fetch: fetchWithStatus, clock: new ManualClock(START) });
    await other.setTokens((await session.getTokens())!);
    const ended: unknown[] = [];
    other.on('ended', (e) => ended.push(e));

    const result = await outcome(other.refresh());
    expect((result as { error: unknown }).error).toMatchObject({ name: 'SessionEndedError', status });
    expect(ended).toHaveLength(1);
    expect(other.isAuthenticated).toBe(false);
    expect(events.sessionEnded).toHaveLength(0); // the first session is not affected
  });

  it('keeps the tokens on a 5xx refresh and rejects waiters with a retryable RefreshFailedError', async () => {
    const { server, session, events } = setup();
    const { accessToken } = await session.login('alice', 'secret');
    server.expireAllAccess();
    server.refreshBehavior = 'error500';

    const results = await Promise.all([outcome(session.fetch(`${API}/a`)), outcome(session.fetch(`${API}/b`))]);
    for (const result of results) {
      const error = (result as { error: unknown }).error;
      expect(error).toBeInstanceOf(RefreshFailedError);
      expect(error).toMatchObject({ kind: 'server', status: 503, retryable: true, code: 'REFRESH_FAILED' });
    }
    expect(server.refreshCalls).toBe(1);
    expect(await session.getAccessToken()).toBe(accessToken);
    expect(events.sessionEnded).toHaveLength(0);
    expect(events.refreshFailed).toHaveLength(1);

    // Once the server recovers, the next 401 refreshes normally with the kept refresh token.
    server.refreshBehavior = 'rotate';
    const response = await session.fetch(`${API}/c`);
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toBe(2);
  });

  it('keeps the tokens on a network error during refresh (RefreshFailedError kind network)', async () => {
    const { server, session, events } = setup();
    const { accessToken } = await session.login('alice', 'secret');
    server.expireAllAccess();
    server.refreshBehavior = 'network';
    const result = await outcome(session.fetch(`${API}/a`));
    expect((result as { error: unknown }).error).toMatchObject({ name: 'RefreshFailedError', kind: 'network', retryable: true });
    expect(await session.getAccessToken()).toBe(accessToken);
    expect(events.sessionEnded).toHaveLength(0);
  });

  it('treats an unreadable 2xx refresh answer as a retryable failure', async () => {
    const { server, session } = setup();
    await session.login('alice', 'secret');
    server.refreshBehavior = 'garbage';
    const result = await outcome(session.refresh());
    expect((result as { error: unknown }).error).toMatchObject({ kind: 'invalid-response', retryable: true });
    expect(session.isAuthenticated).toBe(true);
  });

  it('never lets a waiter hang: a refresh with no answer fails after refreshTimeoutMs and the call is aborted', async () => {
    const { server, session, clock } = setup({ refreshTimeoutMs: 5_000 });
    await session.login('alice', 'secret');
    server.expireAllAccess();
    server.refreshBehavior = 'hang';
    let settled = false;
    const pending = outcome(session.fetch(`${API}/a`)).finally(() => (settled = true));
    await flush();
    clock.advance(4_999);
    await flush();
    expect(settled).toBe(false);
    clock.advance(1);
    const result = await pending;
    expect((result as { error: unknown }).error).toMatchObject({ name: 'RefreshFailedError', kind: 'timeout', retryable: true });
    expect(session.isAuthenticated).toBe(true);
  });

  it('ends the session with reason no-refresh-token when an access token without refresh token is rejected', async () => {
    const { session, events } = setup();
    await session.setTokens({ accessToken: 'opaque-without-refresh' });
    const result = await outcome(session.fetch(`${API}/a`));
    expect((result as { error: unknown }).error).toMatchObject({ name: 'SessionEndedError', reason: 'no-refresh-token' });
    expect(events.sessionEnded).toHaveLength(1);
    expect(session.isAuthenticated).toBe(false);
  });
});

describe('AuthSession proactive refresh', () => {
  it('refreshes leewaySeconds before expiry, using expires_in on the client clock', async () => {
    const { server, session, clock, events } = setup({ leewaySeconds: 30 });
    await session.login('alice', 'secret');
    expect(clock.nextTimerAt()).toBe(START + 899_000 - 30_000);

    clock.advance(899_000 - 30_000 - 1);
    await flush();
    expect(server.refreshCalls).toBe(0);
    clock.advance(1);
    await flush();
    expect(server.refreshCalls).toBe(1);
    expect(events.refreshed[0]).toMatchObject({ trigger: 'proactive', refreshCount: 1 });
    // The new token gets its own timer.
    expect(clock.nextTimerAt()).toBe(clock.now() + 899_000 - 30_000);
  });

  it('falls back to the JWT exp claim when the server sends no expires_in', async () => {
    const { server, session, clock } = setup({}, { sendExpiresIn: false, accessTtl: 600 });
    await session.login('alice', 'secret');
    expect(clock.nextTimerAt()).toBe(START + 600_000 - 30_000);
    clock.advance(600_000 - 30_000);
    await flush();
    expect(server.refreshCalls).toBe(1);
  });

  it('caps the lead time at 25% of the lifetime for short-lived tokens', async () => {
    const { server, session, clock } = setup({ leewaySeconds: 30 }, { accessTtl: 20 });
    await session.login('alice', 'secret');
    // Earliest expiry 19 s after the response, lead 25% of that.
    expect(clock.nextTimerAt()).toBe(START + 14_250);
    clock.advance(14_250);
    await flush();
    expect(server.refreshCalls).toBe(1);
  });

  it('refreshes a 2 s token before the earliest moment it can expire (expires_in is whole seconds)', async () => {
    // A server whose clock reads 10.9 s signs iat=10, exp=12 and answers expires_in: 2; the token dies 1.1 s later.
    // Refreshing at 75% of the nominal 2 s (1.5 s) would be too late; at 75% of 1 s it is not.
    const { server, session, clock } = setup({}, { accessTtl: 2, opaque: true });
    await session.login('alice', 'secret');
    expect(clock.nextTimerAt()).toBe(START + 750);
    clock.advance(750);
    await flush();
    expect(server.refreshCalls).toBe(1);
  });

  it('takes a fractional expires_in as exact', async () => {
    const { session } = setup();
    await session.setTokens({ access_token: 'opaque', refresh_token: 'r', expires_in: 2.5 });
    expect((await session.getTokens())?.accessExpiresAt).toBe(START + 2_500);
  });

  it('schedules nothing for opaque tokens without expires_in but still refreshes on 401', async () => {
    const { server, session, clock } = setup({}, { opaque: true, sendExpiresIn: false });
    await session.login('alice', 'secret');
    expect(clock.pendingTimers).toBe(0);
    clock.advance(24 * 3600_000);
    await flush();
    expect(server.refreshCalls).toBe(0);

    server.expireAllAccess();
    const response = await session.fetch(`${API}/a`);
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toBe(1);
  });

  it('uses expires_in for opaque tokens', async () => {
    const { server, session, clock } = setup({}, { opaque: true, accessTtl: 300 });
    await session.login('alice', 'secret');
    clock.advance(300_000 - 30_000);
    await flush();
    expect(server.refreshCalls).toBe(1);
  });

  it('does not loop when the client clock is ahead of the token expiry (JWT exp only)', async () => {
    const clientClock = new ManualClock(START);
    const serverClock = new ManualClock(START - 3600_000); // server clock one hour behind
    const server = new FakeAuthServer({ clock: serverClock, sendExpiresIn: false });
    const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock: clientClock });
    await session.login('alice', 'secret');
    expect(clientClock.pendingTimers).toBe(0);
    clientClock.advance(10_000);
    await flush();
    expect(server.refreshCalls).toBe(0);
  });

  it('retries a failed proactive refresh at half the remaining lifetime and keeps the tokens', async () => {
    const { server, session, clock, events } = setup();
    const { accessToken } = await session.login('alice', 'secret');
    server.refreshBehavior = 'error500';
    clock.advance(870_000);
    await flush();
    expect(server.refreshCalls).toBe(1);
    expect(events.refreshFailed).toHaveLength(1);
    expect(await session.getAccessToken()).toBe(accessToken);
    expect(clock.nextTimerAt()).toBe(clock.now() + 14_500); // half of the 29 s left until the earliest expiry

    server.refreshBehavior = 'rotate';
    clock.advance(14_500);
    await flush();
    expect(server.refreshCalls).toBe(2);
    expect(await session.getAccessToken()).not.toBe(accessToken);
  });

  it('refreshes immediately when tokens restored from storage are already expired', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const storage = new MemoryTokenStorage();
    const issued = server.issue();
    storage.set({ accessToken: issued.access_token, refreshToken: issued.refresh_token, accessExpiresAt: START - 1000 });
    const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, storage });
    await session.ready;
    expect(clock.nextTimerAt()).toBe(START);
    clock.advance(0);
    await flush();
    expect(server.refreshCalls).toBe(1);
  });

  it('can be turned off', async () => {
    const { session, clock } = setup({ proactiveRefresh: false });
    await session.login('alice', 'secret');
    expect(clock.pendingTimers).toBe(0);
  });

  it('dispose() stops the timer and the listeners', async () => {
    const { server, session, clock, events } = setup();
    await session.login('alice', 'secret');
    session.dispose();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(900_000);
    await flush();
    expect(server.refreshCalls).toBe(0);
    await session.refresh();
    expect(events.refreshed).toHaveLength(0); // listeners removed
  });
});

describe('AuthSession per-request abort', () => {
  it('rejects only the aborted waiter; the refresh and the other waiters complete', async () => {
    const { server, session } = setup();
    await session.login('alice', 'secret');
    server.expireAllAccess();
    const gate = deferred();
    server.refreshGate = gate.promise;
    const controller = new AbortController();

    const a = outcome(session.fetch(`${API}/a`));
    const b = outcome(session.fetch(`${API}/b`, { signal: controller.signal }));
    const c = outcome(session.fetch(`${API}/c`));
    await flush();
    expect(server.refreshCalls).toBe(1);

    controller.abort();
    const bResult = await b;
    expect(bResult.ok).toBe(false);
    expect((bResult as { error: unknown }).error).toMatchObject({ name: 'AbortError' });

    gate.resolve();
    const [aResult, cResult] = await Promise.all([a, c]);
    expect(aResult.ok && aResult.value.status).toBe(200);
    expect(cResult.ok && cResult.value.status).toBe(200);
    expect(server.refreshCalls).toBe(1);
    expect(server.apiRequests.filter((r) => r.path === '/api/b')).toHaveLength(1); // b was never replayed
  });

  it('rejects at once when the signal is already aborted while a refresh is needed', async () => {
    const { server, session } = setup();
    const { accessToken } = await session.login('alice', 'secret');
    server.expireAllAccess();
    const controller = new AbortController();
    controller.abort();
    const result = await outcome(session.handleUnauthorized(accessToken, controller.signal));
    expect((result as { error: unknown }).error).toMatchObject({ name: 'AbortError' });
    expect(server.refreshCalls).toBe(0);
  });
});

describe('AuthSession isolation', () => {
  it('keeps two sessions in one process independent', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const a = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock });
    const b = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock });
    const bEvents = recordEvents(b);
    await a.login('alice', 'secret');
    await b.login('alice', 'secret');
    const bToken = await b.getAccessToken();

    await a.refresh();
    await a.logout();
    await flush();

    expect(a.isAuthenticated).toBe(false);
    expect(b.isAuthenticated).toBe(true);
    expect(await b.getAccessToken()).toBe(bToken);
    expect(b.refreshCount).toBe(0);
    expect(bEvents.loggedOut).toHaveLength(0);
    expect(bEvents.tokensChanged.map((e) => e.source)).toEqual(['login']);
  });
});

describe('AuthSession logout', () => {
  it('clears tokens, fires loggedOut (not sessionEnded) and tells the server best-effort', async () => {
    const storage = new MemoryTokenStorage();
    const { server, session, events } = setup({ storage });
    const { accessToken } = await session.login('alice', 'secret');
    await session.logout();

    const call = server.requests.find((r) => r.path === '/user/logout')!;
    expect(call.headers['authorization']).toBe(bearer(accessToken));
    expect(JSON.parse(call.body)).toEqual({ refresh_token: 'refresh-1' });
    expect(session.isAuthenticated).toBe(false);
    expect(storage.get()).toBeNull();
    expect(events.loggedOut).toEqual([{ origin: 'this-tab' }]);
    expect(events.sessionEnded).toHaveLength(0);
    expect(events.tokensChanged.at(-1)).toEqual({ tokens: null, source: 'logout' });
  });

  it('still logs out locally when the logout call fails', async () => {
    const { server, session } = setup();
    await session.login('alice', 'secret');
    const failing = createAuthSession({
      baseUrl: server.origin,
      fetch: () => Promise.reject(new TypeError('offline')),
      clock: new ManualClock(START),
    });
    await failing.setTokens((await session.getTokens())!);
    await expect(failing.logout()).resolves.toBeUndefined();
    expect(failing.isAuthenticated).toBe(false);
  });

  it('does not let a refresh finishing after logout resurrect the session', async () => {
    const { server, session } = setup();
    await session.login('alice', 'secret');
    server.expireAllAccess();
    const gate = deferred();
    server.refreshGate = gate.promise;
    const pending = outcome(session.fetch(`${API}/a`));
    await flush();
    await session.logout();
    gate.resolve();
    const result = await pending;
    expect((result as { error: unknown }).error).toMatchObject({ name: 'SessionEndedError', reason: 'logged-out' });
    expect(session.isAuthenticated).toBe(false);
  });
});

describe('AuthSession cookie mode', () => {
  let csrf: string;
  beforeEach(() => {
    csrf = 'csrf-1';
  });

  it('keeps only the access token and refreshes with credentials, an empty body and the CSRF header', async () => {
    const storage = new MemoryTokenStorage();
    const { server, session } = setup({
      storage,
      refreshTokenTransport: 'cookie',
      refreshHeaders: () => ({ 'x-csrf-token': csrf }),
    });
    await session.login('alice', 'secret');
    expect(storage.get()?.refreshToken).toBeUndefined();
    expect(server.requests[0]!.credentials).toBe('include');

    server.expireAllAccess();
    const response = await session.fetch(`${API}/a`);
    expect(response.status).toBe(200);
    const refresh = server.requests.find((r) => r.path === '/user/refresh')!;
    expect(refresh.body).toBe('{}');
    expect(refresh.credentials).toBe('include');
    expect(refresh.headers['x-csrf-token']).toBe('csrf-1');
  });

  it('turns the refresh cookie into an access token on the first 401 after a reload', async () => {
    const { server, session } = setup({ refreshTokenTransport: 'cookie' });
    const response = await session.fetch(`${API}/a`);
    expect(response.status).toBe(200);
    expect(server.refreshCalls).toBe(1);
    expect(session.isAuthenticated).toBe(true);
    // Without refreshHeaders the server's default CSRF header is sent.
    expect(server.requests.find((r) => r.path === '/user/refresh')!.headers['x-csrf-protection']).toBe('1');
  });

  it('without a cookie session: SessionEndedError, no ended event, and later 401s pass through without refreshing', async () => {
    const { server, session, events } = setup({ refreshTokenTransport: 'cookie' });
    server.refreshBehavior = 'reject';
    const result = await outcome(session.refresh());
    expect((result as { error: unknown }).error).toBeInstanceOf(SessionEndedError);
    expect(events.sessionEnded).toHaveLength(0);
    const response = await session.fetch(`${API}/a`);
    expect(response.status).toBe(401);
    expect(server.refreshCalls).toBe(1);
  });
});

describe('AuthSession storage', () => {
  function fakeLocalStorage(): StorageLike & { data: Map<string, string> } {
    const data = new Map<string, string>();
    return {
      data,
      getItem: (k) => data.get(k) ?? null,
      setItem: (k, v) => void data.set(k, v),
      removeItem: (k) => void data.delete(k),
    };
  }

  it('restores tokens from storage on start and persists rotated ones', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const backing = fakeLocalStorage();
    const issued = server.issue();
    backing.setItem('auth', JSON.stringify({ accessToken: issued.access_token, refreshToken: issued.refresh_token }));
    const storage = new LocalStorageTokenStorage({ key: 'auth', storage: backing });
    const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, storage, crossTab: false });
    const sources: string[] = [];
    session.on('tokensChanged', (e) => sources.push(e.source));
    await session.ready;

    expect(session.isAuthenticated).toBe(true);
    expect(sources).toEqual(['restored']);
    // Expiry was recovered from the JWT exp claim.
    expect((await session.getTokens())?.accessExpiresAt).toBe(START + 900_000);

    await session.refresh();
    await flush();
    expect(JSON.parse(backing.data.get('auth')!)).toMatchObject({ refreshToken: 'refresh-2' });
  });

  it('setTokens accepts the server response shape', async () => {
    const { session, clock } = setup();
    await session.setTokens({ access_token: makeJwt({ exp: START / 1000 + 60 }), refresh_token: 'r', expires_in: 120 });
    const tokens = await session.getTokens();
    expect(tokens).toMatchObject({ refreshToken: 'r', accessExpiresAt: clock.now() + 119_000 });
  });

  it('setTokens(null) clears the session without server calls or ended/loggedOut events', async () => {
    const { server, session, events } = setup();
    await session.login('alice', 'secret');
    await session.setTokens(null);
    expect(session.isAuthenticated).toBe(false);
    expect(server.requests).toHaveLength(1);
    expect(events.sessionEnded).toHaveLength(0);
    expect(events.loggedOut).toHaveLength(0);
  });
});
