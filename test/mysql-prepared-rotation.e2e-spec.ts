import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import mysql from 'mysql2/promise';
import { DualTokenAuthModule, type TokenPairResponse } from 'nestjs-dual-token-auth';
import { CreateDualTokenSessions1764200000000, DualTokenSessionEntity, TypeOrmSessionStore } from 'nestjs-dual-token-auth/typeorm';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { startRestartableMySql, type RestartableMySql } from './harness/restartable-mysql.js';
import { HTTP_ADAPTERS, authOptions, createScenarioApp, loginAs } from './harness/scenario-app.js';

/** Connections in the DataSource's pool: a small pool, so a warm-up can put the statements on every one of them. */
const POOL_SIZE = 4;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function generationOf(token: string): number {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { gen: number }).gen;
}

// On MySQL/MariaDB, TypeOrmSessionStore runs a refresh's statements (the rotation's compare-and-set and the session
// read behind it) as server-side prepared statements on the DataSource's mysql2 pool instead of TypeORM's query
// builder. The server's own statement counters show that this path is the one taken, and the refresh behaviour
// (rotate once under a storm, reuse detection, 503 during an outage and recovery after it) is the same on it.
describe('refresh on MySQL through prepared statements (TypeOrmSessionStore on mysql2)', () => {
  let database: RestartableMySql;
  let dataSource: DataSource;
  let app: INestApplication;

  /** The server's counters of prepared-statement work, over every connection (this suite has the server to itself). */
  async function statementCounters(): Promise<{ prepared: number; executed: number }> {
    const connection = await mysql.createConnection({ uri: database.url });
    try {
      const [rows] = await connection.query(
        "SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_stmt_prepare', 'Com_stmt_execute')",
      );
      const value = (name: string) =>
        Number((rows as Array<{ Variable_name: string; Value: string }>).find((row) => row.Variable_name === name)!.Value);
      return { prepared: value('Com_stmt_prepare'), executed: value('Com_stmt_execute') };
    } finally {
      await connection.end();
    }
  }

  async function storedSession(id: string): Promise<{ generation: number; revoked_reason: string | null }> {
    const connection = await mysql.createConnection({ uri: database.url });
    try {
      const [rows] = await connection.query('SELECT generation, revoked_reason FROM dual_token_sessions WHERE id = ?', [id]);
      return (rows as Array<{ generation: number; revoked_reason: string | null }>)[0]!;
    } finally {
      await connection.end();
    }
  }

  const refresh = (token: string) => request(app.getHttpServer()).post('/user/refresh').send({ refresh_token: token });
  const sessionIdOf = (token: string) =>
    (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sid: string }).sid;

  beforeAll(async () => {
    database = await startRestartableMySql();
    dataSource = new DataSource({
      type: 'mysql',
      url: database.url,
      entities: [DualTokenSessionEntity],
      migrations: [CreateDualTokenSessions1764200000000],
      migrationsRun: true,
      // Fail fast while the server is down instead of waiting mysql2's default 10 s per attempt.
      connectTimeout: 2000,
      extra: { connectionLimit: POOL_SIZE },
    });
    // Made before the DataSource is initialized, as a provider may: the store picks its path on first use.
    const sessionStore = new TypeOrmSessionStore(dataSource);
    await dataSource.initialize();
    app = await createScenarioApp(HTTP_ADAPTERS[0][1], {
      imports: [DualTokenAuthModule.forRoot(authOptions({ sessionStore, reuseGraceSeconds: 1, rateLimit: false }))],
    });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await dataSource?.destroy();
    await database?.stop();
  });

  it('a refresh is one execution of a statement prepared once per pooled connection, not SQL built and sent per call', async () => {
    const chains = await Promise.all(Array.from({ length: POOL_SIZE * 2 }, () => loginAs(app)));
    // Warm-up: enough refreshes at once to use every pooled connection, so each has prepared the rotation.
    const warmed = await Promise.all(chains.map(async (pair) => (await refresh(pair.refresh_token).expect(201)).body as TokenPairResponse));

    const before = await statementCounters();
    let token = warmed[0]!.refresh_token;
    for (let i = 0; i < 20; i += 1) token = ((await refresh(token).expect(201)).body as TokenPairResponse).refresh_token;
    const after = await statementCounters();

    expect(after.executed - before.executed).toBe(20);
    expect(after.prepared - before.prepared).toBe(0);
    expect(generationOf(token)).toBe(21);
    expect((await storedSession(sessionIdOf(token))).generation).toBe(21);
  });

  it('30 parallel refreshes with one token rotate the family exactly once; the 29 others get the same generation back', async () => {
    const initial = await loginAs(app);
    const before = await statementCounters();

    const answers = await Promise.all(Array.from({ length: 30 }, () => refresh(initial.refresh_token)));

    expect(answers.map((answer) => answer.status)).toEqual(Array(30).fill(201));
    const generations = new Set(answers.map((answer) => generationOf((answer.body as TokenPairResponse).refresh_token)));
    expect([...generations]).toEqual([1]);
    expect(await storedSession(sessionIdOf(initial.refresh_token))).toEqual({ generation: 1, revoked_reason: null });
    // One compare-and-set per request, and for each of the 29 that lost it the prepared read of the family.
    expect((await statementCounters()).executed - before.executed).toBe(30 + 29);
    const next = answers[0]!.body as TokenPairResponse;
    expect(generationOf((await refresh(next.refresh_token).expect(201)).body.refresh_token)).toBe(2);
  });

  it('reuse detection: a rotated token presented after the grace window revokes the family', async () => {
    const initial = await loginAs(app);
    const rotated = (await refresh(initial.refresh_token).expect(201)).body as TokenPairResponse;
    await sleep(1300);

    await refresh(initial.refresh_token).expect(401);

    await refresh(rotated.refresh_token).expect(401);
    expect(await storedSession(sessionIdOf(initial.refresh_token))).toEqual({ generation: 1, revoked_reason: 'reuse-detected' });
  });

  it('while MySQL is down a refresh answers 503 without rotating; once it is back the same token rotates', async () => {
    const initial = await loginAs(app);
    await database.takeDown();
    try {
      const started = Date.now();
      await refresh(initial.refresh_token).expect(503);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await database.bringUp();
    }
    await database.waitUntilReady();

    // The pool replaces its dead connections (and prepares the statements on the new ones) as requests come in.
    let status = 0;
    let body: TokenPairResponse | undefined;
    for (const deadline = Date.now() + 30_000; status !== 201 && Date.now() < deadline; ) {
      const answer = await refresh(initial.refresh_token);
      status = answer.status;
      if (status === 201) body = answer.body as TokenPairResponse;
      else {
        expect(status).toBe(503);
        await sleep(250);
      }
    }
    expect(status).toBe(201);
    expect(generationOf(body!.refresh_token)).toBe(1);
    expect((await refresh(body!.refresh_token).expect(201)).body.refresh_token).toBeDefined();
  }, 120_000);
});
