import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { RedisSessionStore } from 'nestjs-dual-token-auth/redis';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import { startRedisCluster, type TestRedisCluster } from './harness/redis-cluster.js';

// The same conformance kit on a real Redis Cluster of three masters: a command whose keys span two slots would fail
// there with CROSSSLOT, so passing it proves the key layout, not just the logic.
const HOUR = 3_600_000;

describe('RedisSessionStore on a Redis Cluster of three masters', () => {
  let cluster: TestRedisCluster;
  let redis: Cluster;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    redis = cluster.connect();
    await redis.ping();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  describeSessionStoreConformance(
    'RedisSessionStore (Cluster)',
    () => new RedisSessionStore(redis, { keyPrefix: `conformance-${randomUUID()}` }),
    { describe, it, beforeEach },
  );

  it("spreads one user's sessions over the masters and still logs out, lists and purges them all", async () => {
    const prefix = `spread-${randomUUID()}`;
    const store = new RedisSessionStore(redis, { keyPrefix: prefix, retainExpiredMs: HOUR });
    const userId = `user-${randomUUID()}`;
    const now = new Date();
    const create = (idleMs: number) =>
      store.create({
        id: randomUUID(),
        userId,
        createdAt: now,
        lastUsedAt: now,
        idleExpiresAt: new Date(now.getTime() + idleMs),
        absoluteExpiresAt: new Date(now.getTime() + 24 * HOUR),
        userAgent: null,
        ip: null,
      });
    const live = await Promise.all(Array.from({ length: 30 }, () => create(HOUR)));
    const expired = await Promise.all(Array.from({ length: 5 }, () => create(-1000)));

    // Where the session hashes live (KEYS on a node lists only that node's keys): more than one master, so no
    // shortcut through a single node could pass.
    const perMaster = await Promise.all(redis.nodes('master').map((node) => node.keys(`{${prefix}:s:*`)));
    const owners = perMaster.filter((keys) => keys.length > 0);
    expect(perMaster.flat()).toHaveLength(live.length + expired.length);
    expect(owners.length).toBeGreaterThan(1);

    expect((await store.listActiveForUser(userId, new Date())).map((s) => s.id).sort()).toEqual(live.map((s) => s.id).sort());
    expect(await store.deleteExpired(new Date(), 100)).toBe(expired.length);
    expect((await store.revokeAllForUser(userId, 'logout-all', new Date())).sort()).toEqual(live.map((s) => s.id).sort());
    expect(await store.listActiveForUser(userId, new Date())).toEqual([]);
  });

  it('checks the durability settings of every master', async () => {
    const store = new RedisSessionStore(redis, { keyPrefix: `durable-${randomUUID()}` });
    expect(await store.durability).toEqual({ durable: true, problems: [] });
    await redis.nodes('master')[1].config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const report = await new RedisSessionStore(redis, { keyPrefix: `durable-${randomUUID()}` }).durability;
      expect(report.durable).toBe(false);
      expect(report.problems).toEqual([expect.stringContaining('maxmemory-policy allkeys-lru')]);
    } finally {
      await redis.nodes('master')[1].config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
