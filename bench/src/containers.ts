// What the database scenarios (MySQL, Redis) need from Docker beyond the e2e tests' harness: a reason instead of an
// exception when Docker or the offline image is missing (the other sections still run), and the container pinned away
// from the servers' core.
import { execFileSync } from 'node:child_process';

export function imagePresent(image: string): boolean {
  try {
    execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why `image` cannot be started here, or undefined when Docker answers and the image is present. */
export function containerProblem(image: string, buildCommand: string): string | undefined {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
  } catch {
    return 'no Docker daemon answers (start it with `bash scripts/start-docker.sh`)';
  }
  return imagePresent(image) ? undefined : `image ${image} is not present (build it with \`${buildCommand}\`)`;
}

/** Pins a running container to `cpu`; returns the placement line of the report. */
export function pinContainer(containerId: string, cpu: number): string {
  try {
    execFileSync('docker', ['update', '--cpuset-cpus', String(cpu), containerId], { stdio: 'ignore' });
    return `container pinned to CPU ${cpu} (with the load generator; the server's CPU stays its own)`;
  } catch (error) {
    return `not pinned (docker update failed: ${(error as Error).message.split('\n')[0]})`;
  }
}
