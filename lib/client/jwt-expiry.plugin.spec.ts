import { describe, expect, it } from '@jest/globals';
import { createAuthSession, jwtClaimsExpiry } from './core/index.js';
import { FakeAuthServer, flush, makeJwt, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);

// The lean client reads expiry from JWT claims only with the jwtExpiry plugin (the compatible entry always has it).
describe('jwtExpiry plugin of the lean client (client/core)', () => {
  function setup(withPlugin: boolean, clientAheadMs = 0) {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock: { now: () => clock.now() - clientAheadMs }, sendExpiresIn: false, accessTtl: 600 });
    const session = createAuthSession({
      baseUrl: server.origin,
      fetch: server.fetch,
      clock,
      ...(withPlugin && { jwtExpiry: jwtClaimsExpiry() }),
    });
    return { clock, server, session };
  }

  it('without it, a JWT answer without expires_in has no known expiry: no proactive refresh, the 401 refreshes', async () => {
    const { clock, server, session } = setup(false);
    await session.login('alice', 'secret');
    expect((await session.getTokens())?.accessExpiresAt).toBeUndefined();
    expect(clock.nextTimerAt()).toBeUndefined();
    clock.advance(600_000);
    server.expireAllAccess();
    expect((await session.fetch(`${server.origin}/api/me`)).status).toBe(200);
    expect(server.refreshCalls).toBe(1);
    session.dispose();
  });

  it('with it, the JWT exp claim schedules the proactive refresh', async () => {
    const { clock, server, session } = setup(true);
    await session.login('alice', 'secret');
    expect(clock.nextTimerAt()).toBe(START + 600_000 - 30_000);
    clock.advance(600_000 - 30_000);
    await flush();
    expect(server.refreshCalls).toBe(1);
    session.dispose();
  });

  it('with it, exp is moved onto a skewed client clock (exp - iat from receipt)', async () => {
    const { session } = setup(true, 60_000);
    await session.login('alice', 'secret');
    // iat says the client is a minute ahead: the token lives 600 s (minus the truncated second) from now.
    expect((await session.getTokens())?.accessExpiresAt).toBe(START + 599_000);
    session.dispose();
  });

  it('with it, setTokens fills in the expiry of a pair given without one', async () => {
    const { session } = setup(true);
    const exp = START / 1000 + 120;
    await session.setTokens({ accessToken: makeJwt({ exp }), refreshToken: 'r' });
    expect((await session.getTokens())?.accessExpiresAt).toBe(exp * 1000);
    session.dispose();
  });
});
