// The database of the MySQL refresh scenario: the e2e tests' own helper (test/harness/mysql-database.ts: Testcontainers,
// or a scratch database on MYSQL_URL), started through containers.ts (a reason instead of an exception when Docker or
// the image is missing; the container pinned away from the server's core).
import { containerProblem, imagePresent, pinContainer } from './containers.js';

export interface BenchDatabase {
  url: string;
  image: string;
  /** Where the database's CPU time goes, as far as it could be pinned. */
  placement: string;
  stop(): Promise<void>;
}

/** Built offline by scripts/build-mysql-image.sh; preferred when present, since Docker Hub may be out of reach. */
const OFFLINE_IMAGE = 'dual-token-auth/mariadb:10.11';

/** Starts the database, or explains what is missing (returned as a message, never thrown). */
export async function startDatabase(dbCpu: number): Promise<BenchDatabase | string> {
  if (!process.env.MYSQL_URL) {
    // Read by the harness when it is loaded (below), so it has to be settled first.
    process.env.MYSQL_IMAGE ??= imagePresent(OFFLINE_IMAGE) ? OFFLINE_IMAGE : 'mysql:8.4';
    const problem = containerProblem(process.env.MYSQL_IMAGE, `bash scripts/build-mysql-image.sh ${OFFLINE_IMAGE}`);
    if (problem) return problem;
  }
  const { MYSQL_IMAGE, startTestDatabase } = await import('../../test/harness/mysql-database.js');
  const database = await startTestDatabase();
  if (!database.container) {
    return { url: database.url, image: 'MYSQL_URL (existing server)', placement: 'not pinned (external server)', stop: () => database.stop() };
  }
  return { url: database.url, image: MYSQL_IMAGE, placement: pinContainer(database.container.getId(), dbCpu), stop: () => database.stop() };
}
