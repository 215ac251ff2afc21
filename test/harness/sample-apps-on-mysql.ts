import { afterAll, afterEach, beforeAll } from '@jest/globals';
import { HttpClient } from './http-client.js';
import { startTestDatabase, type TestDatabase } from './mysql-database.js';
import { startSampleApp, type RunningSampleApp } from './sample-app-server.js';

/** One MySQL database per suite, and sample apps on it that are closed after each test. */
export interface SampleAppsOnMySql {
  /** The suite's database (available from the first test on). */
  readonly database: TestDatabase;
  /** Starts a sample app on the suite's database with extra environment variables; it is closed after the test. */
  start(env?: Record<string, string>): Promise<RunningSampleApp>;
}

/** Registers the suite's hooks: database up before all tests, apps closed after each, database stopped after all. */
export function useSampleAppsOnMySql(): SampleAppsOnMySql {
  let database: TestDatabase | undefined;
  const running: RunningSampleApp[] = [];

  beforeAll(async () => {
    database = await startTestDatabase();
  }, 180_000);

  afterEach(async () => {
    await Promise.all(running.splice(0).map((sample) => sample.close()));
    // On MySQL the sample keeps its rate-limit counters in the database (shared by instances, kept across restarts):
    // each test starts from fresh limits, as a new deployment would. The table exists once an app has started.
    await database?.query('DELETE FROM dual_token_rate_limits').catch(() => undefined);
  });

  afterAll(async () => {
    await database?.stop();
  });

  return {
    get database(): TestDatabase {
      if (!database) throw new Error('the test database is not started yet (use it inside tests or hooks)');
      return database;
    },
    async start(env: Record<string, string> = {}): Promise<RunningSampleApp> {
      const sample = await startSampleApp({ DATABASE_URL: this.database.url, ...env });
      running.push(sample);
      return sample;
    },
  };
}

/** A suite-wide sample app on its own MySQL database: for suites whose tests all share one app. */
export interface SampleAppOnMySql {
  database: TestDatabase;
  sample: RunningSampleApp;
  http: HttpClient;
  /** Closes the app, then stops the database. */
  stop(): Promise<void>;
}

/** Starts a MySQL database and one sample app on it with extra environment variables. */
export async function startSampleAppOnMySql(env: Record<string, string> = {}): Promise<SampleAppOnMySql> {
  const database = await startTestDatabase();
  const sample = await startSampleApp({ DATABASE_URL: database.url, ...env });
  return {
    database,
    sample,
    http: new HttpClient(sample.baseUrl),
    async stop() {
      await sample.close();
      await database.stop();
    },
  };
}
