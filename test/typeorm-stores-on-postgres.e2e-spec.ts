import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import {
  CreateDualTokenSessions1764200000000,
  DualTokenSessionEntity,
  TypeOrmRateLimitStore,
  TypeOrmSessionStore,
} from 'nestjs-dual-token-auth/typeorm';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { DataSource } from 'typeorm';
import { startTestPostgres, type TestPostgresDatabase } from './harness/postgres-database.js';

// The TypeORM stores on real PostgreSQL (Debian's postgresql-15): the session table created by the library's
// migration, the conformance kit users run against their own stores, and the counters shared by two "instances"
// (two DataSources, two connection pools) on one database. One container for the whole file.
const entities = [DualTokenSessionEntity];
const migrations = [CreateDualTokenSessions1764200000000];

describe('TypeORM stores on PostgreSQL', () => {
  let database: TestPostgresDatabase;
  let dataSource: DataSource;
  let otherInstance: DataSource;

  beforeAll(async () => {
    database = await startTestPostgres();
    dataSource = await new DataSource({ type: 'postgres', url: database.url, entities, migrations, migrationsRun: true }).initialize();
    otherInstance = await new DataSource({ type: 'postgres', url: database.url, entities }).initialize();
  }, 180_000);

  afterAll(async () => {
    await otherInstance?.destroy();
    await dataSource?.destroy();
    await database?.stop();
  });

  it('the migration creates the sessions table with its indexes, and the store starts on it', async () => {
    const applied = await database.query<{ name: string }>('SELECT name FROM migrations');
    expect(applied.map((row) => row.name)).toEqual(['CreateDualTokenSessions1764200000000']);
    const indexes = await database.query<{ indexname: string }>(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'dual_token_sessions' ORDER BY indexname`,
    );
    expect(indexes.map((row) => row.indexname)).toEqual(
      expect.arrayContaining(['idx_dual_token_sessions_idle_expires_at', 'idx_dual_token_sessions_user_id']),
    );
    await expect(new TypeOrmSessionStore(dataSource).checkReady()).resolves.toBeUndefined();
  });

  describeSessionStoreConformance('TypeOrmSessionStore (PostgreSQL)', () => new TypeOrmSessionStore(dataSource), {
    describe,
    it,
    beforeEach,
  });

  it('two instances rotating one session from the same generation in parallel: exactly one wins, the family is not forked', async () => {
    const stores = [new TypeOrmSessionStore(dataSource), new TypeOrmSessionStore(otherInstance)];
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    const session = await stores[0].create({
      id: randomUUID(),
      userId: 'racer',
      createdAt: now,
      lastUsedAt: now,
      idleExpiresAt: later,
      absoluteExpiresAt: later,
      userAgent: null,
      ip: null,
    });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        stores[i % 2].rotate(session.id, 0, { userId: 'racer', now: new Date(), idleExpiresAt: later }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const stored = await stores[1].findById(session.id);
    expect(stored).toMatchObject({ generation: 1, revokedAt: null });
    // The winner's next rotation (from generation 1) goes through on either instance.
    expect(await stores[1].rotate(session.id, 1, { userId: 'racer', now: new Date(), idleExpiresAt: later })).toBe(true);
  });

  it('TypeOrmRateLimitStore: parallel attempts from two instances count against one budget, atomically', async () => {
    const keyPrefix = `login_user_${randomUUID().slice(0, 8)}`;
    const [first, second] = [dataSource, otherInstance].map((source) =>
      new TypeOrmRateLimitStore(source).createLimiter({ keyPrefix, points: 5, duration: 60 }),
    );
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => (i % 2 ? first : second).consume('alice')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(refused).toHaveLength(25);
    for (const { reason } of refused) {
      expect(reason).toBeInstanceOf(RateLimiterRes);
      expect((reason as RateLimiterRes).msBeforeNext).toBeGreaterThan(0);
    }
    // A success forgives: delete() clears the key for both instances.
    await first.delete('alice');
    await expect(second.consume('alice')).resolves.toMatchObject({ consumedPoints: 1 });
  });

  it('TypeOrmRateLimitStore names the drivers it supports when given another one', async () => {
    const sqlite = await new DataSource({ type: 'sqljs', entities }).initialize();
    try {
      expect(() => new TypeOrmRateLimitStore(sqlite)).toThrow('TypeOrmRateLimitStore needs a mysql, mariadb or postgres DataSource, got sqljs');
    } finally {
      await sqlite.destroy();
    }
  });

  it('the migration reverts and re-applies cleanly (migration:revert, then migration:run)', async () => {
    await dataSource.undoLastMigration();
    expect(await database.query(`SELECT to_regclass('dual_token_sessions') AS t`)).toEqual([{ t: null }]);
    await expect(new TypeOrmSessionStore(dataSource).checkReady()).rejects.toThrow(/Add CreateDualTokenSessions1764200000000/);
    await dataSource.runMigrations();
    await expect(new TypeOrmSessionStore(dataSource).checkReady()).resolves.toBeUndefined();
  });
});
