import { describe, expect, it } from '@jest/globals';
import { createAuthSession } from './index.js';
import { FakeAuthServer, flush, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);

/** Runs the client's clock forward `ms` in steps, letting refreshes complete, and counts refresh calls. */
async function refreshesWithin(clock: ManualClock, server: FakeAuthServer, ms: number, step = 250): Promise<number> {
  const before = server.refreshCalls;
  for (let done = 0; done < ms; done += step) {
    clock.advance(step);
    await flush();
  }
  return server.refreshCalls - before;
}

describe('proactive refresh under clock skew (issue 17 item 6)', () => {
  it.each([
    ['58 s ahead of', 58_000],
    ['59 s ahead of', 59_000],
    ['10 min behind', -600_000],
  ])('client clock %s the server, 60 s JWTs without expires_in: about one refresh per 45 s', async (_name, skewMs) => {
    const clientClock = new ManualClock(START);
    const server = new FakeAuthServer({ clock: { now: () => clientClock.now() - skewMs }, sendExpiresIn: false, accessTtl: 60 });
    const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock: clientClock });
    await session.login('alice', 'secret');

    const refreshes = await refreshesWithin(clientClock, server, 300_000);

    // Lifetime 60 s (59 s assumed: iat is truncated), refreshed 25% = ~15 s before: every ~44 s, i.e. 6 to 7 times.
    expect(refreshes).toBeGreaterThanOrEqual(6);
    expect(refreshes).toBeLessThanOrEqual(7);
    expect(session.isAuthenticated).toBe(true);
    session.dispose();
  });

  it('never starts proactive refreshes more than once per second, even for tokens living a few hundred ms', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock, opaque: true, accessTtl: 0.4 });
    const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock });
    await session.login('alice', 'secret');

    const refreshes = await refreshesWithin(clock, server, 10_000, 50);

    expect(refreshes).toBeGreaterThanOrEqual(9);
    expect(refreshes).toBeLessThanOrEqual(11);
    session.dispose();
  });
});
