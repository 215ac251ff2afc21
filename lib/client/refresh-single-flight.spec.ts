import { describe, expect, it } from '@jest/globals';
import { createAuthSession, RefreshFailedError, SessionEndedError, type AuthSessionEvents, type AuthSessionOptions } from './index.js';
import { FakeAuthServer, flush, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);
const API = 'https://api.test/api';

/** A session against a fake server that, like the real one, forgives the previous refresh token for 10 s only. */
async function loggedIn(options: Partial<AuthSessionOptions> = {}) {
  const clock = new ManualClock(START);
  const server = new FakeAuthServer({ clock, reuseGraceSeconds: 10 });
  const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, ...options });
  const ended: AuthSessionEvents['sessionEnded'][] = [];
  const refreshed: AuthSessionEvents['refreshed'][] = [];
  session.on('sessionEnded', (event) => ended.push(event));
  session.on('refreshed', (event) => refreshed.push(event));
  const { accessToken } = await session.login('alice', 'secret');
  return { clock, server, session, ended, refreshed, firstAccessToken: accessToken };
}

/** Advances the manual clock in small steps, letting the session's promises settle between them. */
async function elapse(clock: ManualClock, ms: number, step = 50): Promise<void> {
  for (let done = 0; done < ms; done += step) {
    clock.advance(Math.min(step, ms - done));
    await flush();
  }
}

describe('refresh after a lost answer (issue 17 item 3)', () => {
  it('the server rotated but the answer was dropped: the session retries inside the grace window and stays logged in', async () => {
    const { clock, server, session, ended, refreshed, firstAccessToken } = await loggedIn();
    server.expireAllAccess();
    server.dropRefreshAnswers = 1;

    // The request that met the lost answer fails at once with a typed, retryable error…
    const failed = await session.fetch(`${API}/a`).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(RefreshFailedError);
    expect(failed).toMatchObject({ kind: 'network', retryable: true });
    expect(server.refreshCalls).toBe(1);

    // …and the session fetches the rotated pair promptly, while the server still forgives the old refresh token.
    await elapse(clock, 500);
    expect(server.refreshCalls).toBe(2);
    expect(refreshed.map((event) => event.trigger)).toEqual(['retry']);
    expect(await session.getAccessToken()).not.toBe(firstAccessToken);

    // Long after the grace window the user is still logged in: no reuse detection, no forced logout.
    await elapse(clock, 30_000, 1_000);
    const response = await session.fetch(`${API}/b`);
    expect(response.status).toBe(200);
    expect(server.reuseDetections).toBe(0);
    expect(ended).toEqual([]);
  });

  it('the answer never arrives: the default timeout (5 s) leaves the retry inside the server default grace (10 s)', async () => {
    const { clock, server, session, ended } = await loggedIn();
    server.expireAllAccess();
    server.holdRefreshAnswers = true;
    const pending = session.fetch(`${API}/a`).catch((error: unknown) => error);
    await flush();
    server.holdRefreshAnswers = false;

    await elapse(clock, 5_000);
    expect(await pending).toMatchObject({ name: 'RefreshFailedError', kind: 'timeout' });
    await elapse(clock, 1_000);
    expect(server.refreshCalls).toBe(2);

    await elapse(clock, 20_000, 1_000);
    expect((await session.fetch(`${API}/b`)).status).toBe(200);
    expect(server.reuseDetections).toBe(0);
    expect(ended).toEqual([]);
  });

  it('keeps retrying with backoff while the network is down, and never starts a retry after the window', async () => {
    const { clock, server, session, ended } = await loggedIn({ refreshRetryWindowMs: 8_000 });
    server.expireAllAccess();
    server.refreshBehavior = 'network';
    await session.fetch(`${API}/a`).catch(() => {});
    const callTimes: number[] = [];
    let seen = server.refreshCalls;
    for (let t = 0; t < 20_000; t += 50) {
      await elapse(clock, 50);
      if (server.refreshCalls !== seen) {
        seen = server.refreshCalls;
        callTimes.push(clock.now() - START);
      }
    }
    // 250 ms, then doubling up to 2 s between attempts; nothing at or after 8 s from the first attempt.
    expect(callTimes).toEqual([250, 750, 1_750, 3_750, 5_750, 7_750]);
    expect(session.isAuthenticated).toBe(true);
    expect(ended).toEqual([]);
  });

  it('does not retry answers that arrived (5xx) or a rejected refresh token', async () => {
    const { clock, server, session } = await loggedIn();
    server.expireAllAccess();
    server.refreshBehavior = 'error500';
    await session.fetch(`${API}/a`).catch(() => {});
    await elapse(clock, 10_000, 250);
    expect(server.refreshCalls).toBe(1);

    server.refreshBehavior = 'reject';
    const rejected = await session.fetch(`${API}/b`).catch((error: unknown) => error);
    expect(rejected).toBeInstanceOf(SessionEndedError);
    await elapse(clock, 10_000, 250);
    expect(server.refreshCalls).toBe(2);
  });

  it('stops retrying when the user logs out meanwhile', async () => {
    const { clock, server, session } = await loggedIn();
    server.expireAllAccess();
    server.refreshBehavior = 'network';
    await session.fetch(`${API}/a`).catch(() => {});
    await session.logout();
    await elapse(clock, 10_000, 250);
    expect(server.refreshCalls).toBe(1);
  });
});
