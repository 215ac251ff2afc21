import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { RedisRateLimitStore, RedisSessionRevocationBus, RedisSessionStore } from 'nestjs-dual-token-auth/redis';
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

  it("keeps each user's sessions in one slot, spreads users over the masters, and logs out, lists and purges them", async () => {
    const prefix = `spread-${randomUUID()}`;
    const store = new RedisSessionStore(redis, { keyPrefix: prefix, retainExpiredMs: HOUR });
    const now = new Date();
    const create = (userId: string, idleMs: number) =>
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
    const users = Array.from({ length: 12 }, () => `user-${randomUUID()}`);
    const live = new Map<string, string[]>();
    for (const userId of users) {
      live.set(userId, (await Promise.all(Array.from({ length: 5 }, () => create(userId, HOUR)))).map((s) => s.id));
    }
    const expired = await Promise.all(users.slice(0, 3).map((userId) => create(userId, -1000)));

    // KEYS on a node lists only that node's keys: each user's hashes and index sit on one master, and the users
    // (and so the sessions) are spread over more than one, so no shortcut through a single node could pass.
    const perMaster = await Promise.all(redis.nodes('master').map((node) => node.keys(`{${prefix}:u:*`)));
    expect(perMaster.flat()).toHaveLength(users.length * 6 + expired.length);
    for (const userId of users) {
      const holders = perMaster.filter((keys) => keys.some((key) => key.includes(userId)));
      expect(holders).toHaveLength(1);
    }
    expect(perMaster.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);

    for (const userId of users) {
      expect((await store.listActiveForUser(userId, new Date())).map((s) => s.id).sort()).toEqual([...live.get(userId)!].sort());
    }
    expect(await store.deleteExpired(new Date(), 100)).toBe(expired.length);
    for (const session of expired) expect(await store.findById(session.id)).toBeNull();
    const [first, second] = users;
    expect((await store.revokeAllForUser(first, 'logout-all', new Date())).sort()).toEqual([...live.get(first)!].sort());
    expect(await store.listActiveForUser(first, new Date())).toEqual([]);
    expect(await store.listActiveForUser(second, new Date())).toHaveLength(5);
    expect(await store.revokeLeastRecentlyUsed(second, 2, 'logout', new Date())).toHaveLength(3);
    const someone = live.get(users[5])![0];
    expect(await store.revoke(someone, 'logout', new Date())).toBe(true);
    expect((await store.findById(someone))!.revokedReason).toBe('logout');
  });

  it('counts rate limits atomically on the Cluster, many keys spread over the masters', async () => {
    const limiter = new RedisRateLimitStore(redis, { keyPrefix: `rl-${randomUUID()}` }).createLimiter({
      keyPrefix: 'login_user_ip',
      points: 3,
      duration: 60,
    });
    const keys = Array.from({ length: 10 }, () => randomUUID());
    const outcomes = await Promise.allSettled(keys.flatMap((key) => Array.from({ length: 8 }, () => limiter.consume(key))));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(keys.length * 3);
  });

  it('pushes revocations between instances over the Cluster', async () => {
    const channel = `revocations-${randomUUID()}`;
    const [sender, receiver] = [cluster.connect(), cluster.connect()].map((client) => new RedisSessionRevocationBus(client, { channel }));
    try {
      await Promise.all([sender.ready, receiver.ready]);
      const received = new Promise<readonly string[]>((resolve) => receiver.subscribe(resolve));
      const sentToSelf: string[] = [];
      sender.subscribe((ids) => sentToSelf.push(...ids));
      sender.publish(['session-1']);
      sender.publish(['session-2']);
      expect(await received).toEqual(['session-1', 'session-2']);
      expect(sentToSelf).toEqual([]);

      // A logout-all of thousands of sessions arrives complete, in messages of at most 1000 ids.
      const batches: (readonly string[])[] = [];
      receiver.subscribe((ids) => batches.push(ids));
      const many = Array.from({ length: 2500 }, (_, index) => `many-${index}`);
      for (const id of many) sender.publish([id]);
      const deadline = Date.now() + 5000;
      while (batches.flat().length < many.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      // On a Cluster each PUBLISH may enter through another node, so messages can arrive in any order.
      expect(batches.flat().sort()).toEqual([...many].sort());
      expect(batches.map((ids) => ids.length).sort()).toEqual([1000, 1000, 500]);
    } finally {
      await Promise.all([sender.close(), receiver.close()]);
    }
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
