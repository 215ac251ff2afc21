import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { CreateDualTokenSessions1764200000000, DualTokenSessionEntity, TypeOrmSessionStore } from 'nestjs-dual-token-auth/typeorm';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import { DataSource } from 'typeorm';
import { DualTokenAuthModule } from 'nestjs-dual-token-auth';
import { HTTP_ADAPTERS, authOptions, createScenarioApp } from './harness/scenario-app.js';
import { startTestDatabase, type TestDatabase } from './harness/mysql-database.js';

// The conformance kit (the same suite users run against their own stores) on the TypeORM store, created by its
// migration, on real MySQL and on SQLite (sql.js, the sample app's embedded default).
const entities = [DualTokenSessionEntity];
const migrations = [CreateDualTokenSessions1764200000000];

describe('TypeOrmSessionStore on MySQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await startTestDatabase();
    dataSource = await new DataSource({ type: 'mysql', url: database.url, entities, migrations, migrationsRun: true }).initialize();
  }, 180_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.stop();
  });

  describeSessionStoreConformance('TypeOrmSessionStore (MySQL)', () => new TypeOrmSessionStore(dataSource), {
    describe,
    it,
    beforeEach,
  });
});

describe('TypeOrmSessionStore on SQLite (sql.js)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource({ type: 'sqljs', entities, migrations, migrationsRun: true }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  describeSessionStoreConformance('TypeOrmSessionStore (SQLite)', () => new TypeOrmSessionStore(dataSource), {
    describe,
    it,
    beforeEach,
  });
});

describe('TypeOrmSessionStore with a user of 40,000 sessions (SQLite, whose bound-parameter limit an IN list of every id broke)', () => {
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource({ type: 'sqljs', entities, migrations, migrationsRun: true }).initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
  });

  it('logs out everywhere: revokes all 40,000 and reports each id', async () => {
    const now = new Date();
    const later = new Date(now.getTime() + 3_600_000);
    const ids = Array.from({ length: 40_000 }, () => randomUUID());
    const repository = dataSource.getRepository(DualTokenSessionEntity);
    for (let start = 0; start < ids.length; start += 80) {
      await repository.insert(
        ids.slice(start, start + 80).map((id) => ({
          id,
          userId: 'many',
          generation: 0,
          rotatedAt: null,
          createdAt: now,
          lastUsedAt: now,
          idleExpiresAt: later,
          absoluteExpiresAt: later,
          revokedAt: null,
          revokedReason: null,
          userAgent: null,
          ip: null,
        })),
      );
    }
    const store = new TypeOrmSessionStore(dataSource);

    const revoked = await store.revokeAllForUser('many', 'logout-all', new Date());

    expect(revoked).toHaveLength(40_000);
    expect(await store.listActiveForUser('many', new Date())).toEqual([]);
    expect(await repository.countBy({ userId: 'many', revokedReason: 'logout-all' })).toBe(40_000);
  }, 120_000);
});

describe('TypeOrmSessionStore startup check', () => {
  it('refuses to start without the sessions table, naming the migration to run, instead of answering 503 to the first login', async () => {
    const dataSource = await new DataSource({ type: 'sqljs', entities }).initialize();
    try {
      const start = createScenarioApp(HTTP_ADAPTERS[0][1], {
        imports: [DualTokenAuthModule.forRoot(authOptions({ sessionStore: new TypeOrmSessionStore(dataSource) }))],
      });
      await expect(start).rejects.toThrow(/table "dual_token_sessions" does not exist\. Add CreateDualTokenSessions1764200000000/);
    } finally {
      await dataSource.destroy();
    }
  });

  it('starts when the migration has run', async () => {
    const dataSource = await new DataSource({ type: 'sqljs', entities, migrations, migrationsRun: true }).initialize();
    try {
      const app = await createScenarioApp(HTTP_ADAPTERS[0][1], {
        imports: [DualTokenAuthModule.forRoot(authOptions({ sessionStore: new TypeOrmSessionStore(dataSource) }))],
      });
      await app.close();
    } finally {
      await dataSource.destroy();
    }
  });
});
