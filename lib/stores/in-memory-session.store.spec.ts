import { beforeEach, describe, expect, it } from '@jest/globals';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import type { NewSessionRecord } from '../interfaces/session-store.interface.js';
import { InMemorySessionStore } from './in-memory-session.store.js';

describeSessionStoreConformance('InMemorySessionStore', () => new InMemorySessionStore(), { describe, it, beforeEach });

describe('InMemorySessionStore per-user bookkeeping', () => {
  const HOUR = 3_600_000;
  const session = (id: string, userId: string, now: number, overrides: Partial<NewSessionRecord> = {}): NewSessionRecord => ({
    id,
    userId,
    createdAt: new Date(now),
    lastUsedAt: new Date(now),
    idleExpiresAt: new Date(now + HOUR),
    absoluteExpiresAt: new Date(now + 24 * HOUR),
    userAgent: null,
    ip: null,
    ...overrides,
  });

  it('answers per-user questions from that user\'s sessions as they change: revoked, purged and created again', async () => {
    const store = new InMemorySessionStore();
    const now = Date.now();
    await store.create(session('a1', 'alice', now - 3000));
    await store.create(session('a2', 'alice', now - 2000));
    await store.create(session('a-expired', 'alice', now - 5000, { idleExpiresAt: new Date(now - 1) }));
    await store.create(session('b1', 'bob', now - 9000));

    // Over the limit: only alice's oldest live session goes; the expired one is not counted, bob is not touched.
    expect(await store.revokeLeastRecentlyUsed('alice', 1, 'session-limit', new Date(now))).toEqual(['a1']);
    expect(await store.revokeLeastRecentlyUsed('alice', 1, 'session-limit', new Date(now))).toEqual([]);
    expect((await store.listActiveForUser('alice', new Date(now))).map((s) => s.id)).toEqual(['a2']);

    // Purging the expired session removes it from what logout-everywhere revokes.
    expect(await store.deleteExpired(new Date(now), 10)).toBe(1);
    expect(await store.revokeAllForUser('alice', 'logout-all', new Date(now))).toEqual(['a2']);
    expect(await store.revokeAllForUser('alice', 'logout-all', new Date(now))).toEqual([]);
    expect(await store.listActiveForUser('alice', new Date(now))).toEqual([]);

    // A user whose sessions were all revoked can start again; others are unaffected throughout.
    await store.create(session('a3', 'alice', now));
    expect((await store.listActiveForUser('alice', new Date(now))).map((s) => s.id)).toEqual(['a3']);
    expect((await store.listActiveForUser('bob', new Date(now))).map((s) => s.id)).toEqual(['b1']);
    expect((await store.findById('a1'))?.revokedReason).toBe('session-limit');
    expect((await store.findById('a2'))?.revokedReason).toBe('logout-all');
  });

  it('keeps the newest sessions when several were last used in the same millisecond (a burst of logins)', async () => {
    const store = new InMemorySessionStore();
    const now = Date.now();
    for (const id of ['s1', 's2', 's3', 's4', 's5']) await store.create(session(id, 'alice', now));
    expect(await store.revokeLeastRecentlyUsed('alice', 4, 'session-limit', new Date(now))).toEqual(['s1']);
    expect(await store.revokeLeastRecentlyUsed('alice', 2, 'session-limit', new Date(now))).toEqual(['s3', 's2']);
    expect((await store.listActiveForUser('alice', new Date(now))).map((s) => s.id).sort()).toEqual(['s4', 's5']);
  });
});
