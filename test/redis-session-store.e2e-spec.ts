import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RedisSessionStore } from 'nestjs-dual-token-auth/redis';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import { startRedis, type TestRedis } from './harness/redis-server.js';

// The conformance kit (the same suite users run against their own stores) on RedisSessionStore against a real
// redis-server, plus what only Redis can get wrong: the script cache, TTLs and the number of round trips.
const HOUR = 3_600_000;

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
    await store.rotate(session.id, 0, { now: new Date(), idleExpiresAt: new Date(Date.now() + HOUR) });
    const monitor = await redis.monitor();
    const sent: string[] = [];
    // MONITOR also shows the commands a script runs, with the source 'lua'; only what a client sent counts here.
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== 'lua') sent.push(args[0].toLowerCase());
    });
    try {
      expect(await store.rotate(session.id, 1, { now: new Date(), idleExpiresAt: new Date(Date.now() + HOUR) })).toBe(true);
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
    expect(await store.rotate(session.id, 0, { now: new Date(), idleExpiresAt: new Date(Date.now() + HOUR) })).toBe(true);
    expect(await store.revoke(session.id, 'logout', new Date())).toBe(true);
    expect((await store.findById(session.id))!.revokedReason).toBe('logout');
  });

  it('lets Redis expire a session by TTL at its expiry, and moves the TTL on rotation (no purge job needed)', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `ttl-${randomUUID()}`, retainExpiredMs: 0 });
    const shortLived = await newSession(store, { idleMs: 300 });
    const session = await newSession(store, { idleMs: 300 });
    const now = new Date();
    expect(await store.rotate(session.id, 0, { now, idleExpiresAt: new Date(now.getTime() + HOUR) })).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await store.findById(shortLived.id)).toBeNull();
    expect(await store.findById(session.id)).not.toBeNull();
  });

  it('stores no token material: only counters, timestamps, user agent and address', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `fields-${randomUUID()}` });
    const session = await newSession(store);
    const keys = await redis.keys(`*${session.id}*`);
    expect(keys).toHaveLength(1);
    expect(Object.keys(await redis.hgetall(keys[0])).sort()).toEqual(['ae', 'c', 'g', 'ie', 'ip', 'l', 'u', 'ua']);
  });

  it('revokes every session of a user with many sessions', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `many-${randomUUID()}` });
    const userId = `user-${randomUUID()}`;
    const now = new Date();
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    await Promise.all(
      ids.map((id) =>
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
    const revoked = await store.revokeAllForUser(userId, 'logout-all', new Date());
    expect(revoked.sort()).toEqual([...ids].sort());
    expect(await store.listActiveForUser(userId, new Date())).toEqual([]);
  }, 60_000);
});
