import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { NewSessionRecord, SessionStore } from '../interfaces/session-store.interface.js';

/** The few functions of a test framework the kit needs; Jest's, Vitest's and `node:test`'s all fit. */
export interface ConformanceTestApi {
  describe: (name: string, body: () => void) => unknown;
  it: (name: string, body: () => Promise<void>, timeoutMs?: number) => unknown;
  beforeEach: (body: () => Promise<void>) => unknown;
}

const HOUR = 3_600_000;

function newSession(overrides: Partial<NewSessionRecord> = {}): NewSessionRecord {
  const now = new Date();
  return {
    id: randomUUID(),
    userId: 'user-1',
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: new Date(now.getTime() + HOUR),
    absoluteExpiresAt: new Date(now.getTime() + 24 * HOUR),
    userAgent: 'conformance-kit',
    ip: '127.0.0.1',
    ...overrides,
  };
}

/**
 * The behaviour every {@link SessionStore} must have, as one suite: run it against your own store (Redis, Prisma, ...)
 * to know the rotation rules will hold on it. `createStore` is called before each test and must return an empty or
 * at least isolated store (sessions of other tests must not be visible under the same ids).
 *
 * ```ts
 * import { describe, it, beforeEach } from '@jest/globals';
 * import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
 * describeSessionStoreConformance('RedisSessionStore', () => new RedisSessionStore(redis), { describe, it, beforeEach });
 * ```
 */
export function describeSessionStoreConformance(
  storeName: string,
  createStore: () => SessionStore | Promise<SessionStore>,
  { describe, it, beforeEach }: ConformanceTestApi,
): void {
  describe(`${storeName} conforms to the SessionStore contract`, () => {
    let store: SessionStore;
    beforeEach(async () => {
      store = await createStore();
    });

    it('creates a session at generation 0 and finds it by id', async () => {
      const input = newSession();
      const created = await store.create(input);
      assert.equal(created.generation, 0);
      assert.equal(created.revokedAt, null);
      const found = await store.findById(input.id);
      assert.ok(found, 'session should be found after create');
      assert.equal(found.userId, input.userId);
      assert.equal(found.generation, 0);
      assert.equal(found.rotatedAt, null);
      assert.equal(found.idleExpiresAt.getTime(), input.idleExpiresAt.getTime());
      assert.equal(found.absoluteExpiresAt.getTime(), input.absoluteExpiresAt.getTime());
      assert.equal(found.userAgent, 'conformance-kit');
    });

    it('returns null for an unknown id', async () => {
      assert.equal(await store.findById(randomUUID()), null);
    });

    it('rotates only from the expected generation and records the rotation', async () => {
      const input = newSession();
      await store.create(input);
      const now = new Date(Date.now() + 1000);
      const idleExpiresAt = new Date(now.getTime() + 2 * HOUR);
      assert.equal(await store.rotate(input.id, 1, { userId: input.userId, now, idleExpiresAt }), false, 'wrong generation must not rotate');
      assert.equal(await store.rotate(input.id, 0, { userId: input.userId, now, idleExpiresAt }), true);
      const found = await store.findById(input.id);
      assert.equal(found!.generation, 1);
      assert.equal(found!.rotatedAt!.getTime(), now.getTime());
      assert.equal(found!.lastUsedAt.getTime(), now.getTime());
      assert.equal(found!.idleExpiresAt.getTime(), idleExpiresAt.getTime());
      assert.equal(await store.rotate(input.id, 0, { userId: input.userId, now, idleExpiresAt }), false, 'the old generation must not rotate again');
    });

    it('lets exactly one of many concurrent rotations from the same generation win', async () => {
      const input = newSession();
      await store.create(input);
      const now = new Date();
      const attempts = await Promise.all(
        Array.from({ length: 25 }, () => store.rotate(input.id, 0, { userId: input.userId, now, idleExpiresAt: new Date(now.getTime() + HOUR) })),
      );
      assert.equal(attempts.filter((won) => won).length, 1);
      assert.equal((await store.findById(input.id))!.generation, 1);
    });

    it('never rotates a revoked session', async () => {
      const input = newSession();
      await store.create(input);
      assert.equal(await store.revoke(input.id, 'logout', new Date()), true);
      assert.equal(await store.rotate(input.id, 0, { userId: input.userId, now: new Date(), idleExpiresAt: new Date(Date.now() + HOUR) }), false);
    });

    it('never rotates a session that does not exist', async () => {
      assert.equal(await store.rotate(randomUUID(), 0, { userId: 'anyone', now: new Date(), idleExpiresAt: new Date(Date.now() + HOUR) }), false);
    });

    it("never rotates another user's session (a token whose sub and sid disagree)", async () => {
      const input = newSession();
      await store.create(input);
      const update = { userId: `other-${randomUUID()}`, now: new Date(), idleExpiresAt: new Date(Date.now() + HOUR) };
      assert.equal(await store.rotate(input.id, 0, update), false);
      assert.equal((await store.findById(input.id))!.generation, 0);
    });

    it('never rotates a session past its idle or its absolute expiry', async () => {
      const now = Date.now();
      const idleExpired = newSession({ idleExpiresAt: new Date(now + 1000), absoluteExpiresAt: new Date(now + HOUR) });
      const absoluteExpired = newSession({ idleExpiresAt: new Date(now + HOUR), absoluteExpiresAt: new Date(now + 1000) });
      await store.create(idleExpired);
      await store.create(absoluteExpired);
      // `update.now` is the clock the store judges by: exactly at the expiry counts as expired.
      const atExpiry = { userId: idleExpired.userId, now: new Date(now + 1000), idleExpiresAt: new Date(now + 2 * HOUR) };
      assert.equal(await store.rotate(idleExpired.id, 0, atExpiry), false, 'idle-expired session must not rotate');
      assert.equal(await store.rotate(absoluteExpired.id, 0, atExpiry), false, 'absolute-expired session must not rotate');
      assert.equal((await store.findById(idleExpired.id))!.generation, 0);
      const justBefore = { userId: idleExpired.userId, now: new Date(now + 999), idleExpiresAt: new Date(now + 2 * HOUR) };
      assert.equal(await store.rotate(idleExpired.id, 0, justBefore), true, 'a live session rotates up to its expiry');
    });

    it('revokes once and keeps the reason', async () => {
      const input = newSession();
      await store.create(input);
      assert.equal(await store.revoke(input.id, 'reuse-detected', new Date()), true);
      assert.equal(await store.revoke(input.id, 'logout', new Date()), false, 'second revoke reports nothing changed');
      const found = await store.findById(input.id);
      assert.ok(found!.revokedAt instanceof Date);
      assert.equal(found!.revokedReason, 'reuse-detected');
      assert.equal(await store.revoke(randomUUID(), 'logout', new Date()), false);
    });

    it('revokes all live sessions of one user and no one else', async () => {
      const userId = `user-${randomUUID()}`;
      const a = newSession({ userId });
      const b = newSession({ userId });
      const other = newSession({ userId: `other-${randomUUID()}` });
      for (const session of [a, b, other]) await store.create(session);
      const revoked = await store.revokeAllForUser(userId, 'logout-all', new Date());
      assert.deepEqual([...revoked].sort(), [a.id, b.id].sort());
      assert.ok((await store.findById(a.id))!.revokedAt);
      assert.ok((await store.findById(b.id))!.revokedAt);
      assert.equal((await store.findById(other.id))!.revokedAt, null);
    });

    it('revokes the least recently used live sessions beyond the ones to keep, and no one else\'s (when implemented)', async () => {
      if (!store.revokeLeastRecentlyUsed) return;
      const userId = `user-${randomUUID()}`;
      const now = Date.now();
      const [oldest, middle, newest] = [3000, 2000, 1000].map((age) => newSession({ userId, lastUsedAt: new Date(now - age) }));
      const other = newSession({ userId: `other-${randomUUID()}`, lastUsedAt: new Date(now - 9000) });
      for (const session of [middle, oldest, newest, other]) await store.create(session);
      assert.deepEqual(await store.revokeLeastRecentlyUsed(userId, 2, 'session-limit', new Date(now)), [oldest.id]);
      assert.equal((await store.findById(oldest.id))!.revokedReason, 'session-limit');
      assert.equal((await store.findById(middle.id))!.revokedAt, null);
      assert.equal((await store.findById(newest.id))!.revokedAt, null);
      assert.equal((await store.findById(other.id))!.revokedAt, null);
      assert.deepEqual(await store.revokeLeastRecentlyUsed(userId, 2, 'session-limit', new Date(now)), [], 'nothing beyond the limit left');
    });

    it('lists only live sessions of the user, newest first', async () => {
      const userId = `user-${randomUUID()}`;
      const now = Date.now();
      const older = newSession({ userId, createdAt: new Date(now - 2000) });
      const newer = newSession({ userId, createdAt: new Date(now - 1000) });
      const revoked = newSession({ userId });
      const expired = newSession({ userId, idleExpiresAt: new Date(now - 1) });
      for (const session of [older, newer, revoked, expired]) await store.create(session);
      await store.revoke(revoked.id, 'logout', new Date());
      const listed = await store.listActiveForUser(userId, new Date(now));
      assert.deepEqual(
        listed.map((session) => session.id),
        [newer.id, older.id],
      );
    });

    it('deletes expired sessions in bounded batches and keeps live ones', async () => {
      const userId = `user-${randomUUID()}`;
      const now = Date.now();
      const live = newSession({ userId });
      const expired = Array.from({ length: 3 }, () => newSession({ userId, idleExpiresAt: new Date(now - 1000) }));
      for (const session of [live, ...expired]) await store.create(session);
      const firstBatch = await store.deleteExpired(new Date(now), 2);
      assert.equal(firstBatch, 2);
      const rest = await store.deleteExpired(new Date(now), 100);
      assert.ok(rest >= 1, 'the remaining expired session is deleted by the next batch');
      for (const session of expired) assert.equal(await store.findById(session.id), null);
      assert.ok(await store.findById(live.id));
    });
  });
}
