import { afterAll, beforeAll, beforeEach, describe, it } from '@jest/globals';
import { CreateDualTokenSessions1764200000000, DualTokenSessionEntity, TypeOrmSessionStore } from 'nestjs-dual-token-auth/typeorm';
import { describeSessionStoreConformance } from 'nestjs-dual-token-auth/testing';
import { DataSource } from 'typeorm';
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
