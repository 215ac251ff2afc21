import { describe, expect, it } from '@jest/globals';
import { createAuthSession, LoginFailedError, RefreshFailedError, type FetchLike } from './index.js';
import { FakeAuthServer, flush, makeJwt, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);
const API = 'https://api.test/api';

describe('every failure of the auth endpoint calls is a documented error (issue 17 item 8)', () => {
  it('a throwing refreshHeaders provider is RefreshFailedError(headers), not a retryable network failure, and nothing is sent', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const broken = new Error('csrf cookie missing');
    const session = createAuthSession({
      baseUrl: server.origin,
      fetch: server.fetch,
      clock,
      refreshHeaders: () => {
        throw broken;
      },
    });
    await session.login('alice', 'secret');
    server.expireAllAccess();

    const error = await session.fetch(`${API}/a`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(error).toMatchObject({ kind: 'headers', retryable: false, cause: broken });
    expect(server.refreshCalls).toBe(0);
    clock.advance(10_000);
    await flush();
    expect(server.refreshCalls).toBe(0); // not taken for a lost answer either
    expect(session.isAuthenticated).toBe(true);
  });

  it.each([
    ['a newline', 'abc\ndef'],
    ['a space', 'abc def'],
    ['a non-ASCII character', 'tökén'],
    ['a number', 12345],
  ])('a refresh answer whose access_token contains %s is invalid-response and is never stored', async (_name, accessToken) => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    let poisoned = false;
    const fetchImpl: FetchLike = async (input, init) => {
      if (poisoned && String(input).endsWith('/user/refresh')) {
        return new Response(JSON.stringify({ access_token: accessToken, refresh_token: 'r2', expires_in: 900 }), { status: 201 });
      }
      return server.fetch(input, init);
    };
    const session = createAuthSession({ baseUrl: server.origin, fetch: fetchImpl, clock });
    const before = await session.login('alice', 'secret');
    poisoned = true;

    const error = await session.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefreshFailedError);
    expect(error).toMatchObject({ kind: 'invalid-response' });
    expect(await session.getAccessToken()).toBe(before.accessToken);
    // Later requests still build their Authorization header (no plain TypeError).
    expect((await session.fetch(`${API}/a`)).status).toBe(200);
  });

  it('a login answer with a header-unsafe access_token is LoginFailedError', async () => {
    const clock = new ManualClock(START);
    const fetchImpl: FetchLike = async () =>
      new Response(JSON.stringify({ access_token: `${makeJwt({ sub: 'x' })}\r\nX-Injected: 1` }), { status: 201 });
    const session = createAuthSession({ baseUrl: 'https://api.test', fetch: fetchImpl, clock });
    await expect(session.login('alice', 'secret')).rejects.toBeInstanceOf(LoginFailedError);
    expect(session.isAuthenticated).toBe(false);
  });
});
