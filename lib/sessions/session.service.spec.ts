import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { AuthStoreUnavailableException } from '../exceptions/auth-store-unavailable.exception.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import type { DualTokenAuthOptions } from '../interfaces/dual-token-auth-options.interface.js';
import type { TokenPairResponse } from '../interfaces/token-response.interface.js';
import type { UserLookup } from '../interfaces/user-lookup.interface.js';
import { InMemorySessionStore } from '../stores/in-memory-session.store.js';
import { resolveAuthConfig } from '../config/resolve-auth-config.js';
import { AuthEventPublisher } from '../events/auth-event-publisher.js';
import { DualTokenService } from '../tokens/dual-token.service.js';
import { ExpiredSessionPurger } from './expired-session-purger.js';
import { SessionRevocationCheck } from './session-revocation-check.js';
import { SessionTokenIssuer } from './session-token-issuer.js';
import { SessionService } from './session.service.js';

interface TestUser {
  id: number;
  username: string;
  password: string;
}

/** A user table in a Map; plain-text passwords are fine in a test double. */
class FakeUserLookup implements UserLookup<TestUser> {
  readonly users = new Map<number, TestUser>([
    [1, { id: 1, username: 'alice', password: 'alice-pw' }],
    [2, { id: 2, username: 'bob', password: 'bob-pw' }],
  ]);

  async validateCredentials(username: string, password: string): Promise<TestUser | null> {
    const user = [...this.users.values()].find((u) => u.username === username);
    return user && user.password === password ? user : null;
  }

  async findById(userId: string | number): Promise<TestUser | null> {
    return this.users.get(Number(userId)) ?? null;
  }

  toAccessTokenClaims(user: TestUser) {
    return { userId: user.id, username: user.username };
  }
}

/** A whole second, so second-granular `exp` claims line up with the session's millisecond expiries. */
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

function decodePayload(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

async function expectSessionRejected(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(SessionRejectedError);
  expect((error as SessionRejectedError).reason).toBe(reason);
}

describe('SessionService', () => {
  let store: InMemorySessionStore;
  let users: FakeUserLookup;
  let tokens: DualTokenService;
  let sessions: SessionService;
  let warn: ReturnType<typeof jest.spyOn>;

  function setUp(overrides: Partial<DualTokenAuthOptions> = {}): void {
    store = new InMemorySessionStore();
    users = new FakeUserLookup();
    const config = resolveAuthConfig({
      accessToken: { secret: 'unit-access-secret-0123456789abcdef0123' },
      refreshToken: { secret: 'unit-refresh-secret-0123456789abcdef012' },
      userLookup: users,
      sessionStore: store,
      production: false,
      ...overrides,
    });
    tokens = new DualTokenService(config);
    sessions = new SessionService(
      config,
      store,
      users,
      tokens,
      new SessionTokenIssuer(config, tokens),
      new SessionRevocationCheck(config, store),
      new ExpiredSessionPurger(store),
      new AuthEventPublisher(config),
    );
  }

  async function login(username = 'alice', password = `${username}-pw`): Promise<TokenPairResponse> {
    const pair = await sessions.login(username, password);
    if (!pair) throw new Error(`login of ${username} failed`);
    return pair;
  }

  const sidOf = (pair: TokenPairResponse): string => decodePayload(pair.refresh_token).sid as string;
  const genOf = (pair: TokenPairResponse): number => decodePayload(pair.refresh_token).gen as number;
  const advance = (ms: number): void => {
    jest.setSystemTime(Date.now() + ms);
  };

  beforeEach(() => {
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    setUp();
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  describe('login', () => {
    it('returns a Bearer pair for the right password', async () => {
      const pair = await login();

      expect(pair).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 30 * 60,
        refresh_expires_in: 7 * 86_400,
      });
      const access = tokens.verifyAccessToken(pair.access_token);
      const refresh = tokens.verifyRefreshToken(pair.refresh_token);
      expect(access).toMatchObject({ userId: 1, username: 'alice', sub: '1' });
      expect(refresh).toMatchObject({ userId: 1, sub: '1', gen: 0, sid: access.sid });
      expect(await store.findById(access.sid)).toMatchObject({ userId: '1', generation: 0, revokedAt: null });
    });

    it('returns null for a wrong password or an unknown user', async () => {
      expect(await sessions.login('alice', 'wrong')).toBeNull();
      expect(await sessions.login('nobody', 'alice-pw')).toBeNull();
    });

    it('records where the session came from, truncating absurd user agents', async () => {
      const pair = await sessions.login('alice', 'alice-pw', { userAgent: 'x'.repeat(2000), ip: '203.0.113.7' });
      const session = await store.findById(sidOf(pair!));

      expect(session?.ip).toBe('203.0.113.7');
      expect(session?.userAgent).toHaveLength(512);
    });
  });

  describe('rotation', () => {
    it('rotates: the new refresh token is the next generation of the same session', async () => {
      const first = await login();
      advance(1_000);
      const second = await sessions.refresh(first.refresh_token);

      expect(sidOf(second)).toBe(sidOf(first));
      expect(genOf(second)).toBe(1);
      expect(tokens.verifyAccessToken(second.access_token).sid).toBe(sidOf(first));
      expect(await store.findById(sidOf(first))).toMatchObject({ generation: 1, rotatedAt: new Date(T0 + 1_000) });

      const third = await sessions.refresh(second.refresh_token);
      expect(genOf(third)).toBe(2);
    });

    it('rotates with the conditional update alone: no read of the session on a normal refresh', async () => {
      const first = await login();
      const absoluteExpiresAt = (await store.findById(sidOf(first)))!.absoluteExpiresAt;
      expect(decodePayload(first.refresh_token).sxp).toBe(absoluteExpiresAt.getTime() / 1000);
      const reads = jest.spyOn(store, 'findById');
      const rotations = jest.spyOn(store, 'rotate');
      advance(1_000);

      const second = await sessions.refresh(first.refresh_token);

      expect(reads).not.toHaveBeenCalled();
      expect(rotations).toHaveBeenCalledTimes(1);
      expect(decodePayload(second.refresh_token)).toMatchObject({ gen: 1, sxp: absoluteExpiresAt.getTime() / 1000 });
      expect(second.refresh_expires_in).toBe(7 * 86_400);
      reads.mockRestore();
      expect(await store.findById(sidOf(first))).toMatchObject({ generation: 1, idleExpiresAt: new Date(T0 + 1_000 + 7 * 86_400_000) });
    });

    it('still rotates refresh tokens issued without the sxp claim (before it existed), by reading the session', async () => {
      const first = await login();
      const { sid, userId } = tokens.verifyRefreshToken(first.refresh_token);
      const session = (await store.findById(sid))!;
      const legacy = tokens.signRefreshToken({ userId, sessionId: sid, generation: 0, expiresAt: session.idleExpiresAt, issuedAt: T0 });
      expect(decodePayload(legacy).sxp).toBeUndefined();
      const reads = jest.spyOn(store, 'findById');
      advance(1_000);

      const second = await sessions.refresh(legacy);

      expect(reads).toHaveBeenCalledTimes(1);
      expect(genOf(second)).toBe(1);
      expect(decodePayload(second.refresh_token).sxp).toBe(session.absoluteExpiresAt.getTime() / 1000);
    });

    it('rejects an access token presented as a refresh token', async () => {
      const pair = await login();

      await expect(sessions.refresh(pair.access_token)).rejects.toBeInstanceOf(InvalidTokenError);
    });

    it('gives the previous token, within the grace window, the winner\'s tokens; both holders can go on refreshing', async () => {
      const initial = await login();
      const tabA = await sessions.refresh(initial.refresh_token);
      advance(2_000);
      const tabB = await sessions.refresh(initial.refresh_token);

      expect(sidOf(tabB)).toBe(sidOf(tabA));
      expect(genOf(tabB)).toBe(genOf(tabA));
      expect(genOf(tabB)).toBe(1);
      expect((await store.findById(sidOf(tabA)))?.generation).toBe(1);

      advance(1_000);
      const tabANext = await sessions.refresh(tabA.refresh_token);
      advance(1_000);
      const tabBNext = await sessions.refresh(tabB.refresh_token);
      expect(genOf(tabANext)).toBe(2);
      expect(genOf(tabBNext)).toBe(2);

      advance(1_000);
      expect(genOf(await sessions.refresh(tabBNext.refresh_token))).toBe(3);
      expect(await store.findById(sidOf(initial))).toMatchObject({ generation: 3, revokedAt: null });
    });

    it('does not extend the session when the grace window answers', async () => {
      const initial = await login();
      const winner = await sessions.refresh(initial.refresh_token);
      const idleExpiresAt = (await store.findById(sidOf(initial)))!.idleExpiresAt;
      advance(5_000);
      const late = await sessions.refresh(initial.refresh_token);

      expect((await store.findById(sidOf(initial)))!.idleExpiresAt).toEqual(idleExpiresAt);
      expect(decodePayload(late.refresh_token).exp).toBe(decodePayload(winner.refresh_token).exp);
      expect(late.refresh_expires_in).toBe(winner.refresh_expires_in - 5);
    });

    it('treats the previous token as reuse when the grace window is 0, and revokes the session', async () => {
      setUp({ reuseGraceSeconds: 0 });
      const initial = await login();
      const rotated = await sessions.refresh(initial.refresh_token);

      await expectSessionRejected(sessions.refresh(initial.refresh_token), 'reuse-detected');
      await expectSessionRejected(sessions.refresh(rotated.refresh_token), 'revoked');
    });

    it('treats the previous token after the grace window as reuse: the current token stops working too', async () => {
      const initial = await login();
      const current = await sessions.refresh(initial.refresh_token);
      advance(10_001);

      await expectSessionRejected(sessions.refresh(initial.refresh_token), 'reuse-detected');
      await expectSessionRejected(sessions.refresh(current.refresh_token), 'revoked');
      expect(await store.findById(sidOf(initial))).toMatchObject({ revokedReason: 'reuse-detected' });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('reuse detected'));
    });

    it('accepts the previous token at the very end of the grace window', async () => {
      const initial = await login();
      await sessions.refresh(initial.refresh_token);
      advance(10_000);

      expect(genOf(await sessions.refresh(initial.refresh_token))).toBe(1);
    });

    it('revokes the session when a token older than the previous one comes back, even inside the grace window', async () => {
      const gen0 = await login();
      const gen1 = await sessions.refresh(gen0.refresh_token);
      const gen2 = await sessions.refresh(gen1.refresh_token);

      await expectSessionRejected(sessions.refresh(gen0.refresh_token), 'reuse-detected');
      await expectSessionRejected(sessions.refresh(gen2.refresh_token), 'revoked');
    });

    it('leaves the user\'s other sessions alone when one session is revoked for reuse', async () => {
      setUp({ reuseGraceSeconds: 0 });
      const laptop = await login();
      const phone = await login();
      await sessions.refresh(laptop.refresh_token);
      await expectSessionRejected(sessions.refresh(laptop.refresh_token), 'reuse-detected');

      expect(genOf(await sessions.refresh(phone.refresh_token))).toBe(1);
      expect((await sessions.listSessions(1)).map((s) => s.id)).toEqual([sidOf(phone)]);
    });

    it('lets 25 concurrent refreshes with the same token all succeed with a single rotation', async () => {
      const initial = await login();

      const results = await Promise.allSettled(
        Array.from({ length: 25 }, () => sessions.refresh(initial.refresh_token)),
      );

      expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
      const pairs = results.map((r) => (r as PromiseFulfilledResult<TokenPairResponse>).value);
      expect(new Set(pairs.map(sidOf))).toEqual(new Set([sidOf(initial)]));
      expect(new Set(pairs.map(genOf))).toEqual(new Set([1]));
      expect(await store.findById(sidOf(initial))).toMatchObject({ generation: 1, revokedAt: null });
    });
  });

  describe('users that are gone', () => {
    it('rejects the refresh with user-not-found and revokes the session for good', async () => {
      const pair = await login();
      const alice = users.users.get(1)!;
      users.users.delete(1);

      await expectSessionRejected(sessions.refresh(pair.refresh_token), 'user-not-found');
      expect(await store.findById(sidOf(pair))).toMatchObject({ revokedReason: 'user-not-found' });

      users.users.set(1, alice);
      await expectSessionRejected(sessions.refresh(pair.refresh_token), 'revoked');
    });

    it('puts the user\'s current claims into refreshed access tokens', async () => {
      const pair = await login();
      users.users.get(1)!.username = 'alice-renamed';

      const refreshed = await sessions.refresh(pair.refresh_token);
      expect(tokens.verifyAccessToken(refreshed.access_token).username).toBe('alice-renamed');
    });
  });

  describe('lifetimes', () => {
    it('never extends the absolute lifetime by rotating', async () => {
      setUp({ sessionMaxAge: '2s' });
      const initial = await login();
      const absoluteExpiresAt = (await store.findById(sidOf(initial)))!.absoluteExpiresAt;
      expect(absoluteExpiresAt).toEqual(new Date(T0 + 2_000));
      expect(initial.refresh_expires_in).toBe(2);

      advance(1_000);
      const rotated = await sessions.refresh(initial.refresh_token);
      expect(rotated.refresh_expires_in).toBe(1);
      expect(decodePayload(rotated.refresh_token).exp).toBe((T0 + 2_000) / 1000);
      expect((await store.findById(sidOf(initial)))!.absoluteExpiresAt).toEqual(absoluteExpiresAt);

      advance(1_500);
      await expect(sessions.refresh(rotated.refresh_token)).rejects.toBeInstanceOf(Error);
      expect(await sessions.listSessions(1)).toEqual([]);
    });

    it('rejects an expired session even when the token itself is still accepted (clock tolerance)', async () => {
      setUp({ sessionMaxAge: '2s', clockToleranceSeconds: 60 });
      const initial = await login();
      advance(3_000);

      await expectSessionRejected(sessions.refresh(initial.refresh_token), 'expired');
    });

    it('ends an idle session, while each rotation renews the idle timeout', async () => {
      setUp({ refreshToken: { secret: 'unit-refresh-secret-0123456789abcdef012', expiresIn: '5s' } });
      const initial = await login();
      advance(4_000);
      const second = await sessions.refresh(initial.refresh_token);
      expect((await store.findById(sidOf(initial)))!.idleExpiresAt).toEqual(new Date(T0 + 9_000));
      advance(4_000);
      const third = await sessions.refresh(second.refresh_token);
      expect(genOf(third)).toBe(2);

      advance(6_000);
      await expect(sessions.refresh(third.refresh_token)).rejects.toBeInstanceOf(Error);
      expect(await sessions.listSessions(1)).toEqual([]);
    });

    it('purges expired sessions from the store', async () => {
      setUp({ sessionMaxAge: '2s' });
      const expired = await login();
      advance(3_000);
      const live = await login();

      expect(await sessions.purgeExpiredSessions()).toBe(1);
      expect(await store.findById(sidOf(expired))).toBeNull();
      expect(await store.findById(sidOf(live))).not.toBeNull();
    });
  });

  describe('revocation', () => {
    it('makes the refresh token unusable after logout', async () => {
      const pair = await login();

      expect(await sessions.revoke(sidOf(pair))).toBe(true);
      expect(await sessions.revoke(sidOf(pair))).toBe(false);
      await expectSessionRejected(sessions.refresh(pair.refresh_token), 'revoked');
    });

    it('reflects this process\'s revocations in isSessionActive at once, despite the cache', async () => {
      setUp({ revocationCheckCacheSeconds: 60 });
      const pair = await login();
      const sid = sidOf(pair);
      expect(await sessions.isSessionActive(sid)).toBe(true);
      expect(sessions.isSessionActive(sid)).toBe(true);

      await sessions.revoke(sid);

      expect(sessions.isSessionActive(sid)).toBe(false);
    });

    it('reflects revokeAllForUser in isSessionActive at once', async () => {
      setUp({ revocationCheckCacheSeconds: 60 });
      const first = await login();
      const second = await login();
      const bob = await login('bob');
      await sessions.isSessionActive(sidOf(first));

      expect(await sessions.revokeAllForUser(1)).toBe(2);

      expect(sessions.isSessionActive(sidOf(first))).toBe(false);
      expect(await sessions.isSessionActive(sidOf(second))).toBe(false);
      expect(await sessions.isSessionActive(sidOf(bob))).toBe(true);
    });

    it('revokeAllForUser with except keeps the named session (password change) and records the reason', async () => {
      setUp({ revocationCheckCacheSeconds: 60 });
      const current = await login();
      const others = [await login(), await login()];
      const bob = await login('bob');

      expect(await sessions.revokeAllForUser(1, { except: sidOf(current), reason: 'logout-all' })).toBe(2);
      expect(await sessions.revokeAllForUser('1', { except: [sidOf(current)] })).toBe(0);

      expect(await sessions.isSessionActive(sidOf(current))).toBe(true);
      for (const other of others) expect(await sessions.isSessionActive(sidOf(other))).toBe(false);
      expect(await sessions.isSessionActive(sidOf(bob))).toBe(true);
      expect((await store.findById(sidOf(others[0])))?.revokedReason).toBe('logout-all');
      // The old call form still works and takes the current session too.
      expect(await sessions.revokeAllForUser(1, 'logout-all')).toBe(1);
    });

    it('keeps a revocation made during an in-flight activity check', async () => {
      setUp({ revocationCheckCacheSeconds: 60 });
      const pair = await login();
      const sid = sidOf(pair);

      // A request's guard starts the (uncached) lookup, then a logout lands before the lookup has answered.
      const inFlight = sessions.isSessionActive(sid);
      await sessions.revoke(sid);
      await inFlight;

      expect(await sessions.isSessionActive(sid)).toBe(false);
    });

    it('sees another instance\'s revocation once the cached answer is older than revocationCheckCacheSeconds', async () => {
      setUp({ revocationCheckCacheSeconds: 5 });
      const pair = await login();
      const sid = sidOf(pair);
      expect(await sessions.isSessionActive(sid)).toBe(true);

      await store.revoke(sid, 'logout', new Date());
      expect(sessions.isSessionActive(sid)).toBe(true);

      advance(5_001);
      expect(await sessions.isSessionActive(sid)).toBe(false);
    });

    it('reports unknown sessions as inactive', async () => {
      expect(await sessions.isSessionActive('00000000-0000-4000-8000-000000000000')).toBe(false);
    });

    it('revokeOwnSession refuses another user\'s session and revokes one\'s own', async () => {
      const alice = await login('alice');
      const bob = await login('bob');

      expect(await sessions.revokeOwnSession(2, sidOf(alice))).toBe(false);
      expect(genOf(await sessions.refresh(alice.refresh_token))).toBe(1);

      expect(await sessions.revokeOwnSession('2', sidOf(bob))).toBe(true);
      expect(await sessions.revokeOwnSession(2, sidOf(bob))).toBe(false);
      await expectSessionRejected(sessions.refresh(bob.refresh_token), 'revoked');
      expect(await sessions.revokeOwnSession(1, '00000000-0000-4000-8000-000000000000')).toBe(false);
    });
  });

  describe('ownership, session limits and store outages (issue 12)', () => {
    it("refuses a refresh token whose sub names another user than its session's, and leaves the session as it was", async () => {
      const alice = await login('alice');
      const sid = sidOf(alice);
      const session = (await store.findById(sid))!;
      // Signed with the real key, so only the sub/sid binding can stop it (a lookup bug or a leaked key elsewhere).
      const crossed = tokens.signRefreshToken({
        userId: 2,
        sessionId: sid,
        generation: 0,
        expiresAt: session.idleExpiresAt,
        sessionExpiresAt: session.absoluteExpiresAt,
      });

      await expectSessionRejected(sessions.refresh(crossed), 'not-found');
      expect((await store.findById(sid))!.generation).toBe(0);
      await sessions.refresh(alice.refresh_token);
    });

    it("answers the revocation check for the session's own user only", async () => {
      setUp({ revocationCheckCacheSeconds: 60 });
      const sid = sidOf(await login('alice'));

      expect(await sessions.isSessionActive(sid, 2)).toBe(false);
      expect(await sessions.isSessionActive(sid, 1)).toBe(true);
      expect(sessions.isSessionActive(sid, 2)).toBe(false);
      expect(sessions.isSessionActive(sid, '1')).toBe(true);
    });

    it('keeps at most maxSessionsPerUser live sessions, revoking the least recently used with an event', async () => {
      const events: Array<{ type: string; sessionId?: string; reason?: string }> = [];
      setUp({ maxSessionsPerUser: 2, onEvent: (event) => void events.push(event as never) });
      const first = await login('alice');
      advance(1000);
      const second = await login('alice');
      advance(1000);
      await sessions.refresh(first.refresh_token); // first is now the most recently used
      advance(1000);
      const bob = await login('bob');
      const third = await login('alice');

      await expectSessionRejected(sessions.refresh(second.refresh_token), 'revoked');
      expect((await store.findById(sidOf(second)))!.revokedReason).toBe('session-limit');
      expect(events).toContainEqual(expect.objectContaining({ type: 'session.revoked', sessionId: sidOf(second), reason: 'session-limit' }));
      expect((await sessions.listSessions(1)).map((session) => session.id).sort()).toEqual([sidOf(first), sidOf(third)].sort());
      expect((await sessions.listSessions(2)).map((session) => session.id)).toEqual([sidOf(bob)]);
    });

    it('enforces the limit with stores that lack revokeLeastRecentlyUsed, through the session list', async () => {
      setUp({ maxSessionsPerUser: 1 });
      Object.defineProperty(store, 'revokeLeastRecentlyUsed', { value: undefined });
      const first = await login('alice');
      advance(1000);
      await login('alice');

      await expectSessionRejected(sessions.refresh(first.refresh_token), 'revoked');
    });

    it("with revocationCheckFailure 'closed', answers 503 while the store is unreachable; 'open' trusts the token", async () => {
      setUp({ revocationCheckFailure: 'closed' });
      const closedSid = sidOf(await login('alice'));
      jest.spyOn(store, 'findById').mockRejectedValue(new Error('connect ECONNREFUSED'));
      const error = await rejectionOf(Promise.resolve(sessions.isSessionActive(closedSid, 1)));
      expect(error).toBeInstanceOf(AuthStoreUnavailableException);
      jest.restoreAllMocks();
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

      setUp({ revocationCheckFailure: 'open' });
      const openSid = sidOf(await login('alice'));
      jest.spyOn(store, 'findById').mockRejectedValue(new Error('connect ECONNREFUSED'));
      expect(await sessions.isSessionActive(openSid, 1)).toBe(true);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('trusting the access token'));
    });

    it('does not let a flood of live sessions evict a revocation that an outage would then turn into "accepted"', async () => {
      setUp({ revocationCheckCacheSeconds: 60 });
      const revokedSid = sidOf(await login('alice'));
      await sessions.revoke(revokedSid);
      // More live sessions than the activity cache holds, each checked once.
      for (let i = 0; i < 10_050; i += 1) {
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        await store.create({ id, userId: '2', createdAt: new Date(), lastUsedAt: new Date(), idleExpiresAt: new Date(Date.now() + 3_600_000), absoluteExpiresAt: new Date(Date.now() + 7_200_000), userAgent: null, ip: null });
        expect(await sessions.isSessionActive(id, 2)).toBe(true);
      }
      jest.spyOn(store, 'findById').mockRejectedValue(new Error('connect ECONNREFUSED'));

      expect(await sessions.isSessionActive(revokedSid, 1)).toBe(false);
    });
  });
});
