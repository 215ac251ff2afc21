// The database of the MySQL refresh scenario: the e2e tests' own helper (test/harness/mysql-database.ts: Testcontainers,
// or a scratch database on MYSQL_URL), plus what only the bench needs: a reason instead of an exception when Docker or
// the image is missing (the other sections still run), and the container pinned away from the server's core.
import { execFileSync } from 'node:child_process';

export interface BenchDatabase {
  url: string;
  image: string;
  /** Where the database's CPU time goes, as far as it could be pinned. */
  placement: string;
  stop(): Promise<void>;
}

/** Built offline by scripts/build-mysql-image.sh; preferred when present, since Docker Hub may be out of reach. */
const OFFLINE_IMAGE = 'dual-token-auth/mariadb:10.11';

function imagePresent(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts the database, or explains what is missing (returned as a message, never thrown). */
export async function startDatabase(dbCpu: number): Promise<BenchDatabase | string> {
  if (!process.env.MYSQL_URL) {
    try {
      execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
    } catch {
      return 'no Docker daemon answers (start it with `bash scripts/start-docker.sh`)';
    }
    // Read by the harness when it is loaded (below), so it has to be settled first.
    process.env.MYSQL_IMAGE ??= imagePresent(OFFLINE_IMAGE) ? OFFLINE_IMAGE : 'mysql:8.4';
    if (!imagePresent(process.env.MYSQL_IMAGE)) {
      return `image ${process.env.MYSQL_IMAGE} is not present (build it with \`bash scripts/build-mysql-image.sh ${OFFLINE_IMAGE}\`)`;
    }
  }
  const { MYSQL_IMAGE, startTestDatabase } = await import('../../test/harness/mysql-database.js');
  const database = await startTestDatabase();
  if (!database.container) {
    return { url: database.url, image: 'MYSQL_URL (existing server)', placement: 'not pinned (external server)', stop: () => database.stop() };
  }
  let placement = `container pinned to CPU ${dbCpu} (with the load generator; the server's CPU stays its own)`;
  try {
    execFileSync('docker', ['update', '--cpuset-cpus', String(dbCpu), database.container.getId()], { stdio: 'ignore' });
  } catch (error) {
    placement = `not pinned (docker update failed: ${(error as Error).message.split('\n')[0]})`;
  }
  return { url: database.url, image: MYSQL_IMAGE, placement, stop: () => database.stop() };
}
