import { randomBytes } from 'node:crypto';
import { MySqlContainer, type StartedMySqlContainer } from '@testcontainers/mysql';
import mysql from 'mysql2/promise';

/**
 * Image of the MySQL server the e2e tests start. CI has no Docker Hub access, so `.ci/run` builds a MySQL-compatible
 * MariaDB image from Debian packages (scripts/build-mysql-image.sh) and exports its name here.
 */
export const MYSQL_IMAGE = process.env.MYSQL_IMAGE ?? 'mysql:8.4';

// The reaper (Ryuk) image cannot be pulled offline; each suite stops its own container in afterAll instead.
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

/** `user:password` of the application account in {@link mysqlContainer}. */
export const MYSQL_CREDENTIALS = 'sample:sample-password';

/** The MySQL container every suite uses: database `sample`, user `sample`, not started yet. */
export function mysqlContainer(): MySqlContainer {
  return new MySqlContainer(MYSQL_IMAGE)
    .withDatabase('sample')
    .withUsername('sample')
    .withUserPassword('sample-password')
    .withRootPassword('root-password')
    .withStartupTimeout(120_000);
}

/** A real MySQL database for one test suite. */
export interface TestDatabase {
  /** `mysql://user:pass@host:port/db` for the sample app's DATABASE_URL. */
  url: string;
  /** The container when this suite started one (absent when `MYSQL_URL` points at an existing server). */
  container?: StartedMySqlContainer;
  /** Runs one SQL statement against the database (for assertions on stored rows). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Stops the container (or drops the database on a shared server). */
  stop(): Promise<void>;
}

/**
 * Starts MySQL with Testcontainers, or, when `MYSQL_URL` is set (`mysql://root:pass@host:3306`), creates a fresh
 * database on that server instead so suites never see each other's rows.
 */
export async function startTestDatabase(): Promise<TestDatabase> {
  if (process.env.MYSQL_URL) {
    const server = new URL(process.env.MYSQL_URL);
    const name = `dta_test_${randomBytes(6).toString('hex')}`;
    const admin = await mysql.createConnection({ uri: server.toString() });
    await admin.query(`CREATE DATABASE \`${name}\``);
    await admin.end();
    server.pathname = `/${name}`;
    return withQuery(server.toString(), undefined, async () => {
      const cleanup = await mysql.createConnection({ uri: process.env.MYSQL_URL! });
      await cleanup.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await cleanup.end();
    });
  }
  const container = await mysqlContainer().start();
  const url = `mysql://${MYSQL_CREDENTIALS}@${container.getHost()}:${container.getMappedPort(3306)}/sample`;
  return withQuery(url, container, async () => {
    await container.stop();
  });
}

function withQuery(
  url: string,
  container: StartedMySqlContainer | undefined,
  stop: () => Promise<void>,
): TestDatabase {
  return {
    url,
    container,
    async query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
      const connection = await mysql.createConnection({ uri: url });
      try {
        const [rows] = await connection.query(sql, params);
        return rows as T[];
      } finally {
        await connection.end();
      }
    },
    stop,
  };
}
