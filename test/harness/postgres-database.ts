import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import pg from 'pg';

/**
 * Image of the PostgreSQL server the e2e tests start. CI has no Docker Hub access, so `.ci/run` builds one from
 * Debian's postgresql-15 package (scripts/build-postgres-image.sh) and exports its name here.
 */
export const POSTGRES_IMAGE = process.env.POSTGRES_IMAGE ?? 'postgres:15';

// The reaper (Ryuk) image cannot be pulled offline; each suite stops its own container in afterAll instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** A real PostgreSQL database for one test suite: database `sample`, user `sample`. */
export interface TestPostgresDatabase {
  /** `postgres://user:pass@host:port/db` for the sample app's DATABASE_URL and TypeORM's `url`. */
  url: string;
  container: StartedTestContainer;
  /** Runs one SQL statement (`$1` placeholders) against the database, for assertions on stored rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops the container. */
  stop(): Promise<void>;
}

/**
 * Starts PostgreSQL with Testcontainers. The image's environment variables are the official image's, so
 * `postgres:15` works as well where Docker Hub is reachable. Durability is traded for speed (`fsync=off`): these
 * databases live for one suite.
 */
export async function startTestPostgres(): Promise<TestPostgresDatabase> {
  const container = await new GenericContainer(POSTGRES_IMAGE)
    .withEnvironment({ POSTGRES_USER: 'sample', POSTGRES_PASSWORD: 'sample-password', POSTGRES_DB: 'sample' })
    .withCommand(['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
    .withExposedPorts(5432)
    // The official image logs the line twice (its init server, then the real one); Debian's image once.
    .withWaitStrategy(Wait.forAll([Wait.forListeningPorts(), Wait.forLogMessage(/database system is ready to accept connections/)]))
    .withStartupTimeout(120_000)
    .start();
  const url = `postgres://sample:sample-password@${container.getHost()}:${container.getMappedPort(5432)}/sample`;
  // Ready in the log can precede accepting logins by a moment on the official image: wait for a real query.
  await waitForQuery(url);
  return {
    url,
    container,
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows as T[];
      } finally {
        await client.end();
      }
    },
    async stop() {
      await container.stop();
    },
  };
}

async function waitForQuery(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
