import { afterEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { checkRedisDurability, RedisSessionStore } from 'nestjs-dual-token-auth/redis';
import { DURABLE_REDIS_ARGS, startRedis, type TestRedis } from './harness/redis-server.js';

// What the README's durability settings buy: with AOF on, a Redis restart keeps every session exactly as it was
// (revocations included); with the defaults it logs everyone out. The store warns at startup when they are missing.
const HOUR = 3_600_000;

/** A rotation by the session's owner; a plain object (not a literal at the call) fits the contract with and without `userId`. */
function rotation(userId: string, idleMs = HOUR, now = new Date()) {
  const update = { userId, now, idleExpiresAt: new Date(now.getTime() + idleMs) };
  return update;
}

function newSession(userId: string) {
  const now = new Date();
  return {
    id: randomUUID(),
    userId,
    createdAt: now,
    lastUsedAt: now,
    idleExpiresAt: new Date(now.getTime() + HOUR),
    absoluteExpiresAt: new Date(now.getTime() + 24 * HOUR),
    userAgent: 'jest',
    ip: '127.0.0.1',
  };
}

describe('Redis durability for sessions', () => {
  let server: TestRedis | undefined;

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('keeps every session, rotation and revocation across a hard Redis restart with appendonly yes', async () => {
    // Snapshots off: whatever comes back after the restart came from the append-only file.
    server = await startRedis([...DURABLE_REDIS_ARGS, '--save', '']);
    const store = new RedisSessionStore(server.connect());
    const userId = `user-${randomUUID()}`;
    const [rotated, revoked, untouched] = [newSession(userId), newSession(userId), newSession(userId)];
    for (const session of [rotated, revoked, untouched]) await store.create(session);
    const now = new Date();
    expect(await store.rotate(rotated.id, 0, rotation(userId, 2 * HOUR, now))).toBe(true);
    expect(await store.revoke(revoked.id, 'logout', now)).toBe(true);
    const before = await Promise.all([rotated, revoked, untouched].map((session) => store.findById(session.id)));

    // A hard restart (no time for a clean shutdown, so no final snapshot): only what the AOF holds comes back.
    await server.container.restart({ timeout: 0 });

    // The same client reconnects by itself; the sessions read back exactly as they were written.
    const after = await Promise.all([rotated, revoked, untouched].map((session) => store.findById(session.id)));
    expect(after).toEqual(before);
    expect(await store.rotate(revoked.id, 0, rotation(userId))).toBe(false);
    expect(await store.rotate(rotated.id, 0, rotation(userId))).toBe(false);
    expect(await store.rotate(rotated.id, 1, rotation(userId))).toBe(true);
    expect((await store.listActiveForUser(userId, new Date())).map((session) => session.id).sort()).toEqual(
      [rotated.id, untouched.id].sort(),
    );
  }, 120_000);

  it('loses the sessions on a restart without AOF (nor snapshots), and warns about it at startup', async () => {
    server = await startRedis(['--appendonly', 'no', '--save', '', '--maxmemory-policy', 'allkeys-lru']);
    const warnings: string[] = [];
    const report = await checkRedisDurability(server.connect(), { warn: (message: string) => warnings.push(message) });
    expect(report.durable).toBe(false);
    expect(report.problems).toEqual([
      expect.stringContaining('appendonly no; sessions need appendonly yes'),
      expect.stringContaining('maxmemory-policy allkeys-lru; sessions need maxmemory-policy noeviction'),
    ]);
    expect(warnings).toHaveLength(2);

    const store = new RedisSessionStore(server.connect(), { checkDurability: false });
    const session = newSession(`user-${randomUUID()}`);
    await store.create(session);
    await server.container.restart({ timeout: 0 });
    expect(await store.findById(session.id)).toBeNull();
  }, 120_000);

  it('reports a durable server as durable', async () => {
    server = await startRedis(DURABLE_REDIS_ARGS);
    expect(await new RedisSessionStore(server.connect()).durability).toEqual({ durable: true, problems: [] });
  }, 120_000);
});
