// A MySQL-compatible database for the refresh scenario: Testcontainers with MYSQL_IMAGE (default: the offline-built
// `dual-token-auth/mariadb:10.11` when present, see scripts/build-mysql-image.sh), or an existing server via MYSQL_URL.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';

export interface BenchDatabase {
  url: string;
  image: string;
  /** Where the database's CPU time goes, as far as it could be pinned. */
  placement: string;
  stop(): Promise<void>;
}

const DEFAULT_IMAGE = 'dual-token-auth/mariadb:10.11';

function imagePresent(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Starts the database, or explains what is missing (returned as an error message, never thrown). */
export async function startDatabase(dbCpu: number): Promise<BenchDatabase | string> {
  if (process.env.MYSQL_URL) {
    const mysql = (await import('mysql2/promise')).default;
    const server = new URL(process.env.MYSQL_URL);
    const name = `dta_bench_${randomBytes(4).toString('hex')}`;
    const admin = await mysql.createConnection({ uri: server.toString() });
    await admin.query(`CREATE DATABASE \`${name}\``);
    await admin.end();
    server.pathname = `/${name}`;
    return {
      url: server.toString(),
      image: 'MYSQL_URL (existing server)',
      placement: 'not pinned (external server)',
      stop: async () => {
        const cleanup = await mysql.createConnection({ uri: process.env.MYSQL_URL! });
        await cleanup.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await cleanup.end();
      },
    };
  }
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return 'no Docker daemon answers (start it with `bash scripts/start-docker.sh`)';
  }
  const image = process.env.MYSQL_IMAGE ?? (imagePresent(DEFAULT_IMAGE) ? DEFAULT_IMAGE : 'mysql:8.4');
  if (!imagePresent(image)) return `image ${image} is not present (build it with \`bash scripts/build-mysql-image.sh ${DEFAULT_IMAGE}\`)`;
  const { MySqlContainer } = await import('@testcontainers/mysql');
  const container = await new MySqlContainer(image)
    .withDatabase('bench')
    .withUsername('bench')
    .withUserPassword('bench-password')
    .withRootPassword('root-password')
    .withStartupTimeout(120_000)
    .start();
  let placement = `container pinned to CPU ${dbCpu} (with the load generator; the server's CPU stays its own)`;
  try {
    execFileSync('docker', ['update', '--cpuset-cpus', String(dbCpu), container.getId()], { stdio: 'ignore' });
  } catch (error) {
    placement = `not pinned (docker update failed: ${(error as Error).message.split('\n')[0]})`;
  }
  return {
    url: `mysql://bench:bench-password@${container.getHost()}:${container.getMappedPort(3306)}/bench`,
    image,
    placement,
    stop: async () => {
      await container.stop();
    },
  };
}
