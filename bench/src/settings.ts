// Benchmark settings: a profile (`full` by default, `quick` for `npm run bench:quick`) overridden by environment variables.
import { fileURLToPath } from 'node:url';

export type Section = 'http' | 'many-users' | 'transports' | 'mysql' | 'redis' | 'storm' | 'login' | 'memory' | 'micro' | 'client-size';
const ALL_SECTIONS: Section[] = ['http', 'many-users', 'transports', 'mysql', 'redis', 'storm', 'login', 'memory', 'micro', 'client-size'];

export interface Settings {
  profile: 'full' | 'quick';
  /** Measured rounds per scenario (each scenario bracketed by its process's unguarded route in every round). */
  rounds: number;
  /** Seconds per measured round. */
  duration: number;
  /** Seconds per window of the simultaneous pairs (two windows per scenario and round). */
  pairDuration: number;
  /** Seconds of warm-up load per route before the first round. */
  warmup: number;
  connections: number;
  /** Guarded requests of the memory test; RSS is compared after the first tenth and at the end. */
  memoryRequests: number;
  /** Distinct access tokens cycled through by the memory test (more than the verifier cache holds). */
  memoryTokens: number;
  /** Sessions of the many-users scenario (one user each). */
  manyUsersSessions: number;
  /** Distinct valid access tokens per session in the many-users scenario. */
  manyUsersTokensPerSession: number;
  /** Milliseconds per micro-benchmark measurement. */
  microMs: number;
  /** Concurrent logins of the login storm. */
  stormConnections: number;
  /** Run the informational storm variant with hashing on the event loop's own core. */
  stormSameCore: boolean;
  /** Logouts timed by the cross-instance revocation test (one latency sample each). */
  revocationSamples: number;
  sections: Section[];
  /** Write a V8 CPU profile of every server into bench/results/profiles. */
  cpuProfile: boolean;
  reportPath: string;
  jsonPath: string;
}

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

/** bench/results/, from the compiled bench/dist/bench/src/ (see bench/tsconfig.json). */
export const RESULTS_DIR = fileURLToPath(new URL('../../../results/', import.meta.url));

export function loadSettings(): Settings {
  const profile = process.env.BENCH_PROFILE === 'quick' ? 'quick' : 'full';
  const quick = profile === 'quick';
  const sections = process.env.BENCH_ONLY
    ? (process.env.BENCH_ONLY.split(',').map((s) => s.trim()) as Section[])
    : ALL_SECTIONS;
  for (const section of sections) {
    if (!ALL_SECTIONS.includes(section)) throw new Error(`BENCH_ONLY: unknown section "${section}" (known: ${ALL_SECTIONS.join(', ')})`);
  }
  const reportName = quick ? 'quick' : 'latest';
  return {
    profile,
    rounds: Math.round(numberFromEnv('BENCH_ROUNDS', quick ? 2 : 8)),
    duration: numberFromEnv('BENCH_DURATION', quick ? 1 : 2),
    pairDuration: numberFromEnv('BENCH_PAIR_DURATION', quick ? 1 : 3),
    warmup: numberFromEnv('BENCH_WARMUP', quick ? 1 : 2),
    connections: Math.round(numberFromEnv('BENCH_CONNECTIONS', 50)),
    memoryRequests: Math.round(numberFromEnv('BENCH_MEMORY_REQUESTS', quick ? 50_000 : 1_000_000)),
    memoryTokens: Math.round(numberFromEnv('BENCH_MEMORY_TOKENS', quick ? 2000 : 5000)),
    manyUsersSessions: Math.round(numberFromEnv('BENCH_MANY_USERS_SESSIONS', quick ? 2000 : 10_000)),
    manyUsersTokensPerSession: Math.round(numberFromEnv('BENCH_MANY_USERS_TOKENS_PER_SESSION', 10)),
    microMs: numberFromEnv('BENCH_MICRO_MS', quick ? 100 : 400),
    stormConnections: Math.round(numberFromEnv('BENCH_STORM_CONNECTIONS', 50)),
    stormSameCore: process.env.BENCH_STORM_SAME_CORE ? process.env.BENCH_STORM_SAME_CORE !== '0' : !quick,
    revocationSamples: Math.round(numberFromEnv('BENCH_REVOCATION_SAMPLES', quick ? 50 : 300)),
    sections,
    cpuProfile: process.env.BENCH_CPU_PROFILE === '1',
    reportPath: process.env.BENCH_REPORT ?? `${RESULTS_DIR}${reportName}.md`,
    jsonPath: (process.env.BENCH_REPORT ?? `${RESULTS_DIR}${reportName}.md`).replace(/\.md$/, '') + '.json',
  };
}
