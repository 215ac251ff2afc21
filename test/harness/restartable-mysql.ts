import type { StartedMySqlContainer } from '@testcontainers/mysql';
import mysql from 'mysql2/promise';
import { getContainerRuntimeClient } from 'testcontainers';
import { MYSQL_CREDENTIALS, mysqlContainer } from './mysql-database.js';
import { findFreePort } from './free-port.js';

/**
 * A MySQL container on a fixed host port that a test can take down and bring back (an outage). The port stays the same
 * across the restart, so an app keeps its `DATABASE_URL` and has to reconnect by itself. Always a container of its own
 * (also when `MYSQL_URL` is set): a shared server cannot be stopped.
 */
export interface RestartableMySql {
  /** `mysql://user:pass@host:port/db` for the sample app's DATABASE_URL. */
  url: string;
  container: StartedMySqlContainer;
  /** Stops the server process (the container and its data stay); new connections are refused until {@link bringUp}. */
  takeDown(): Promise<void>;
  /** Starts the stopped container again (returns at once; the server needs a few seconds to accept connections). */
  bringUp(): Promise<void>;
  /** Waits until the server answers queries, e.g. after {@link bringUp}. */
  waitUntilReady(timeoutMs?: number): Promise<void>;
  /** Stops and removes the container. */
  stop(): Promise<void>;
}


export async function startRestartableMySql(): Promise<RestartableMySql> {
  const hostPort = await findFreePort();
  const container = await mysqlContainer().withExposedPorts({ container: 3306, host: hostPort }).start();
  const url = `mysql://${MYSQL_CREDENTIALS}@${container.getHost()}:${hostPort}/sample`;
  const client = await getContainerRuntimeClient();
  const handle = () => client.container.getById(container.getId());

  return {
    url,
    container,
    async takeDown() {
      await client.container.stop(handle(), { timeout: 5 });
    },
    async bringUp() {
      await client.container.start(handle());
    },
    async waitUntilReady(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try {
          const connection = await mysql.createConnection({ uri: url, connectTimeout: 2000 });
          await connection.query('SELECT 1');
          await connection.end();
          return;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`MySQL did not come back within ${timeoutMs} ms: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      }
    },
    async stop() {
      await container.stop();
    },
  };
}
