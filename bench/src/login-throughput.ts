// The `login` section: is logging in anything more than hashing? `POST /user/login` (the library's route, rate limits
// on) against `POST /argon2-only` (the same argon2id verification and nothing else) on one server process, bracketed.
import { BENCH_PASSWORD, BENCH_USERNAME, type ServerConfig } from './shared.js';
import { runCountedLoad } from './counted-load.js';
import { startServer, type LoadResult } from './load.js';
import type { Settings } from './settings.js';
import { processCpuSeconds } from './system.js';
import { benchThreadPoolSize } from './thread-pool.js';

/**
 * Requests per measured window. A window is a number of requests rather than a duration: a request waits for the
 * hashes queued before it, so on a slow (or busy) core a fixed-length window ends with many of them in flight, and
 * autocannon drops those; with a count, the window lasts as long as its requests take (a few seconds at ~30 hashes a
 * second) and every one is counted (counted-load.ts).
 */
const REQUESTS_PER_WINDOW = 64;
/** Connections per libuv pool thread: two keep every thread busy (one request hashing, the next queued behind it). */
const CONNECTIONS_PER_POOL_THREAD = 2;

export interface LoginThroughputRound {
  /** `POST /user/login`, between the two bracket windows. */
  login: LoadResult;
  /** `POST /argon2-only` right before and right after. */
  brackets: [LoadResult, LoadResult];
}

export interface LoginThroughputResult {
  /** `UV_THREADPOOL_SIZE` of the server. */
  threadPoolSize: number;
  connections: number;
  /** Requests per window. */
  requestsPerWindow: number;
  rounds: LoginThroughputRound[];
  note: string;
}

/** The server: everything (event loop and libuv pool) on the server's core, the library's login limits counting. */
export function loginServerConfig(threadPoolSize: number): ServerConfig {
  return { adapter: 'express', sessionCheck: false, passport: false, tokenPool: 1, argon2: 'async', rateLimit: true, threadPoolSize };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the server has no hashing left: when a window ends, the requests still queued in libuv's pool (up to
 * one per connection, tens of milliseconds each) would otherwise run into the next window and lower its count.
 */
async function drain(pid: number, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = processCpuSeconds(pid);
  while (Date.now() < deadline) {
    await sleep(200);
    const now = processCpuSeconds(pid);
    if (now - last < 0.01) return;
    last = now;
  }
}

/**
 * One server pinned as a whole to the server's core, so whatever the login route does besides hashing takes CPU from
 * the hashing threads and shows as fewer logins per second (with the pool on another core it would be free). Windows
 * alternate argon2-only, login, argon2-only, ...; a round is a login window with the argon2-only windows on either
 * side. Enough connections to keep every pool thread busy throughout, and no more: a request's latency is the queue
 * ahead of it, and the ratio is about throughput.
 */
export async function measureLoginThroughput(
  settings: Settings,
  log: (message: string) => void,
  cpuProfileDir: string | undefined,
): Promise<LoginThroughputResult> {
  const threadPoolSize = benchThreadPoolSize();
  const connections = threadPoolSize * CONNECTIONS_PER_POOL_THREAD;
  log(`starting server login-throughput (UV_THREADPOOL_SIZE=${threadPoolSize})`);
  const server = await startServer('login-throughput', loginServerConfig(threadPoolSize), { pin: true, cpuProfileDir });
  const body = JSON.stringify({ username: BENCH_USERNAME, password: BENCH_PASSWORD });
  const window = async (path: '/user/login' | '/argon2-only', amount = REQUESTS_PER_WINDOW): Promise<LoadResult> => {
    await drain(server.pid);
    return runCountedLoad({ url: server.url, path, method: 'POST', body, connections, amount, serverPid: server.pid });
  };
  const show = (name: string, r: LoadResult) =>
    `${name} ${r.rps.toFixed(1)}/s, ${(r.cpuUsPerRequest / 1000).toFixed(2)} ms CPU each` + (r.non2xx || r.errors ? `, ${r.non2xx} non-2xx, ${r.errors} errors` : '');

  try {
    log(`warm-up login-throughput (${REQUESTS_PER_WINDOW / 2} requests per route)`);
    await window('/argon2-only', REQUESTS_PER_WINDOW / 2);
    await window('/user/login', REQUESTS_PER_WINDOW / 2);
    const rounds: LoginThroughputRound[] = [];
    let before = await window('/argon2-only');
    for (let round = 0; round < settings.rounds; round += 1) {
      const login = await window('/user/login');
      const after = await window('/argon2-only');
      rounds.push({ login, brackets: [before, after] });
      log(`round ${round + 1}/${settings.rounds} login-throughput: ${show('argon2-only', before)} | ${show('login', login)} | ${show('argon2-only', after)}`);
      before = after;
    }
    return {
      threadPoolSize,
      connections,
      requestsPerWindow: REQUESTS_PER_WINDOW,
      rounds,
      note:
        `one Express process, event loop and libuv pool (UV_THREADPOOL_SIZE=${threadPoolSize}) all on one core, ${connections} connections; ` +
        'login with the library\'s defaults (body validation, the three login limits reserving and giving back a point in the in-memory store, ' +
        'an in-memory session, two signed tokens); each window starts once the previous one\'s queued hashes are done',
    };
  } finally {
    await server.stop();
  }
}

/** Per round: the login window's logins/s over the mean of its brackets' verifications/s. */
export function loginRoundRatios(result: LoginThroughputResult): number[] {
  return result.rounds.map((r) => r.login.rps / ((r.brackets[0].rps + r.brackets[1].rps) / 2));
}

/** Per round: the brackets' mean CPU per verification over the login's CPU per login (capacity at full CPU). */
export function loginRoundCpuRatios(result: LoginThroughputResult): number[] {
  return result.rounds.map((r) => (r.brackets[0].cpuUsPerRequest + r.brackets[1].cpuUsPerRequest) / 2 / r.login.cpuUsPerRequest);
}
