import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisSessionStore } from 'nestjs-dual-token-auth/redis';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import { startRedis, type TestRedis } from './harness/redis-server.js';

// The conformance kit (the same suite users run against their own stores) on RedisSessionStore against a real
// redis-server, plus what only Redis can get wrong: the script cache, TTLs and the number of round trips.
const HOUR = 3_600_000;

/** A rotation by the session's owner; a plain object (not a literal at the call) fits the contract with and without `userId`. */
function rotation(userId: string, idleMs = HOUR, now = new Date()) {
  const update = { userId, now, idleExpiresAt: new Date(now.getTime() + idleMs) };
  return update;
}

describe('RedisSessionStore on Redis', () => {
  let server: TestRedis;
  let redis: Redis;

  beforeAll(async () => {
    server = await startRedis();
    redis = server.connect();
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  });

  // A fresh key prefix per test keeps each test's sessions (and the expiry index) apart on the shared server.
  describeSessionStoreConformance(
    'RedisSessionStore (Redis)',
    () => new RedisSessionStore(redis, { keyPrefix: `conformance-${randomUUID()}` }),
    { describe, it, beforeEach },
  );

  function newSession(store: RedisSessionStore, overrides: { idleMs?: number; absoluteMs?: number } = {}) {
    const now = new Date();
    return store.create({
      id: randomUUID(),
      userId: `user-${randomUUID()}`,
      createdAt: now,
      lastUsedAt: now,
      idleExpiresAt: new Date(now.getTime() + (overrides.idleMs ?? HOUR)),
      absoluteExpiresAt: new Date(now.getTime() + (overrides.absoluteMs ?? 24 * HOUR)),
      userAgent: 'jest',
      ip: '127.0.0.1',
    });
  }

  it('rotates in one round trip: a single EVALSHA reaches the server', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `rt-${randomUUID()}` });
    const session = await newSession(store);
    // Warm the script cache on this connection, then count what one rotation sends.
    await store.rotate(session.id, 0, rotation(session.userId));
    const monitor = await redis.monitor();
    const sent: string[] = [];
    // MONITOR also shows the commands a script runs, with the source 'lua'; only what a client sent counts here.
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') sent.push(args[0].toLowerCase());
    });
    try {
      expect(await store.rotate(session.id, 1, rotation(session.userId))).toBe(true);
      await redis.ping();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      monitor.disconnect();
    }
    expect(sent).toEqual(['evalsha', 'ping']);
  });

  it('keeps working after the server forgets its scripts (EVALSHA falls back to EVAL on NOSCRIPT)', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `noscript-${randomUUID()}` });
    const session = await newSession(store);
    await redis.script('FLUSH');
    expect(await store.rotate(session.id, 0, rotation(session.userId))).toBe(true);
    expect(await store.revoke(session.id, 'logout', new Date())).toBe(true);
    expect((await store.findById(session.id))!.revokedReason).toBe('logout');
  });

  it('lets Redis expire a session by TTL at its expiry, and moves the TTL on rotation (no purge job needed)', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `ttl-${randomUUID()}`, retainExpiredMs: 0 });
    const shortLived = await newSession(store, { idleMs: 300 });
    const session = await newSession(store, { idleMs: 300 });
    const now = new Date();
    expect(await store.rotate(session.id, 0, rotation(session.userId, HOUR, now))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await store.findById(shortLived.id)).toBeNull();
    expect(await store.findById(session.id)).not.toBeNull();
  });

  it('stores no token material: only counters, timestamps, user agent and address', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `fields-${randomUUID()}` });
    const session = await newSession(store);
    const keys = (await redis.keys(`*${session.id}*`)).sort();
    // The session hash (under the user's tag) and the pointer from the session id to its owner.
    expect(keys).toHaveLength(2);
    const types = await Promise.all(keys.map((key) => redis.type(key)));
    const [hash, pointer] = [keys[types.indexOf('hash')], keys[types.indexOf('string')]];
    expect(Object.keys(await redis.hgetall(hash)).sort()).toEqual(['ae', 'c', 'g', 'ie', 'ip', 'l', 'u', 'ua']);
    expect(await redis.get(pointer)).toBe(session.userId);
  });

  it('never rotates a session for a token of another user', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `owner-${randomUUID()}` });
    const session = await newSession(store);
    expect(await store.rotate(session.id, 0, rotation(`other-${randomUUID()}`))).toBe(false);
    expect(await store.rotate(session.id, 0, rotation(session.userId))).toBe(true);
  });

  it('keeps the most recently used sessions of a user and revokes the rest beyond the cap', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `cap-${randomUUID()}` });
    const userId = `user-${randomUUID()}`;
    const start = Date.now();
    const sessions = [];
    for (let index = 0; index < 5; index += 1) {
      const at = new Date(start - (5 - index) * 1000);
      sessions.push(
        await store.create({
          id: randomUUID(),
          userId,
          createdAt: at,
          lastUsedAt: at,
          idleExpiresAt: new Date(start + HOUR),
          absoluteExpiresAt: new Date(start + 24 * HOUR),
          userAgent: null,
          ip: null,
        }),
      );
    }
    // The oldest session was just used: it is the most recently used now.
    expect(await store.rotate(sessions[0].id, 0, rotation(userId))).toBe(true);
    expect(await store.revokeLeastRecentlyUsed(userId, 5, 'session-limit' as never, new Date())).toEqual([]);

    const revoked = await store.revokeLeastRecentlyUsed(userId, 2, 'session-limit' as never, new Date());
    expect(revoked.sort()).toEqual([sessions[1].id, sessions[2].id, sessions[3].id].sort());
    expect((await store.listActiveForUser(userId, new Date())).map((session) => session.id)).toEqual([sessions[4].id, sessions[0].id]);
    expect((await store.findById(sessions[1].id))!.revokedReason).toBe('session-limit');
  });

  it('logs out a user with 40,000 sessions', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `many-${randomUUID()}` });
    const userId = `user-${randomUUID()}`;
    const now = new Date();
    const ids = Array.from({ length: 40_000 }, () => randomUUID());
    for (let start = 0; start < ids.length; start += 2000) {
      await Promise.all(
        ids.slice(start, start + 2000).map((id) =>
          store.create({
            id,
            userId,
            createdAt: now,
            lastUsedAt: now,
            idleExpiresAt: new Date(now.getTime() + HOUR),
            absoluteExpiresAt: new Date(now.getTime() + 24 * HOUR),
            userAgent: null,
            ip: null,
          }),
        ),
      );
    }
    const revoked = await store.revokeAllForUser(userId, 'logout-all', new Date());
    expect(revoked).toHaveLength(ids.length);
    expect(new Set(revoked)).toEqual(new Set(ids));
    expect(await store.listActiveForUser(userId, new Date())).toEqual([]);
    expect(await store.revokeAllForUser(userId, 'logout-all', new Date())).toEqual([]);
  }, 120_000);
});
