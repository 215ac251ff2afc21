// Starting bench servers (pinned child processes) and putting load on them with autocannon.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { MemoryMessage, ReadyMessage, ServerConfig, ServerMessage } from './shared.js';
import { quantileSorted } from './stats.js';
import { coreTimes, processCpuSeconds } from './system.js';

export const SERVER_CPU = 1;
export const LOADGEN_CPU = 0;

export interface BenchServer {
  name: string;
  config: ServerConfig;
  process: ChildProcess;
  pid: number;
  url: string;
  ready: ReadyMessage;
  memory(): Promise<MemoryMessage>;
  stop(): Promise<void>;
}

const running = new Set<BenchServer>();

/** Starts the compiled server.ts (next to this file) pinned to {@link SERVER_CPU} (unless `pin` is false) and waits for its ready message. */
export async function startServer(
  name: string,
  config: ServerConfig,
  options: { pin: boolean; cpuProfileDir?: string; exposeGc?: boolean; /** Another build of server.js (experiments on a copy of the library). */ script?: string },
): Promise<BenchServer> {
  const script = options.script ?? fileURLToPath(new URL('./server.js', import.meta.url));
  const nodeArgs = [
    ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`, `--cpu-prof-name=${name.replace(/\W+/g, '-')}.cpuprofile`] : []),
    ...(options.exposeGc ? ['--expose-gc'] : []),
  ];
  const [command, args] = options.pin
    ? ['taskset', ['-c', String(SERVER_CPU), process.execPath, ...nodeArgs, script]]
    : [process.execPath, [...nodeArgs, script]];
  const child = spawn(command, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      BENCH_SERVER: JSON.stringify(config),
      ...(config.threadPoolSize !== undefined ? { UV_THREADPOOL_SIZE: String(config.threadPoolSize) } : {}),
    },
  });
  const ready = await new Promise<ReadyMessage>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`bench server ${name} exited with ${code} before it was ready`));
    child.once('exit', onExit);
    child.once('error', reject);
    child.on('message', function onMessage(message: ServerMessage) {
      if (message.type !== 'ready') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    });
  });
  const server: BenchServer = {
    name,
    config,
    process: child,
    pid: ready.pid,
    url: `http://127.0.0.1:${ready.port}`,
    ready,
    memory: () =>
      new Promise<MemoryMessage>((resolve) => {
        child.on('message', function onMessage(message: ServerMessage) {
          if (message.type !== 'memory') return;
          child.off('message', onMessage);
          resolve(message);
        });
        child.send({ type: 'memory' });
      }),
    stop: async () => {
      running.delete(server);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // Disconnecting makes the server close itself (and write its CPU profile when asked); SIGTERM if it does not.
      if (child.connected) child.disconnect();
      const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  running.add(server);
  return server;
}

/** Stops every server this process started (on exit or on failure). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
}

export function killAllServersNow(): void {
  for (const server of running) {
    if (server.process.exitCode === null) server.process.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------------------------------

export interface LoadOptions {
  url: string;
  path: string;
  method?: 'GET' | 'POST';
  connections: number;
  /** Seconds; ignored when `amount` is given. */
  duration?: number;
  /** Exact number of requests. */
  amount?: number;
  /** Headers of connection `i` (0-based), set once per connection. */
  headersForConnection?: (index: number) => Record<string, string>;
  /** A fresh header set for every request (costs the load generator a request rebuild each time). */
  headersPerRequest?: () => Record<string, string>;
  /** Per-connection request chain (e.g. refresh rotation); replaces the single request. */
  setupClient?: (client: autocannon.Client, index: number) => void;
  body?: string;
  /** Server to account CPU time for (µs per request, utilisation, foreign load on its core). */
  serverPid?: number;
}

export interface LoadResult {
  /** 2xx responses per second. */
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSec: number;
  /**
   * Latency percentiles of 2xx responses in ms, from every response. autocannon's own `result.latency` histogram
   * records whole milliseconds (1.2 ms is recorded as 1), too coarse for routes that answer in about a millisecond.
   */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Server process CPU (all its threads) as % of one core over the run. */
  serverCpuPct: number;
  /** Server CPU µs per 2xx response. */
  cpuUsPerRequest: number;
  /** Busy time on the server's core not used by the server: other processes (noise), % of the run. */
  foreignPct: number;
}

/** The `Authorization` header carrying an access token. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** Runs autocannon once and measures the server's CPU and its core's other load meanwhile. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let connectionIndex = 0;
  const headersPerRequest = options.headersPerRequest;
  const cpuBefore = options.serverPid ? processCpuSeconds(options.serverPid) : Number.NaN;
  const coreBefore = coreTimes(SERVER_CPU);
  const started = process.hrtime.bigint();

  let finish!: (error: unknown, result: autocannon.Result) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (error, result) => (error ? reject(error) : resolve(result));
  });
  const instance = autocannon({
    url: `${options.url}${options.path}`,
    method: options.method ?? 'GET',
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    ...(options.body !== undefined ? { body: options.body } : {}),
    headers: options.body !== undefined ? { 'content-type': 'application/json' } : {},
    ...(headersPerRequest
      ? {
          requests: [
            {
              setupRequest: (request: autocannon.Request) => ({ ...request, headers: { ...request.headers, ...headersPerRequest() } }),
            },
          ],
        }
      : {}),
    setupClient: (client: autocannon.Client) => {
      const index = connectionIndex++;
      if (options.setupClient) options.setupClient(client, index);
      else if (options.headersForConnection) {
        client.setHeaders({ ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headersForConnection(index) });
      }
    },
    timeout: 30,
  }, (error, result) => finish(error, result));
  instance.on('response', (_client: autocannon.Client, statusCode: number, _bytes: number, responseTime: number) => {
    if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
  });
  const result = await finished;

  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = options.serverPid ? processCpuSeconds(options.serverPid) : Number.NaN;
  return loadResult({ result, seconds: result.duration, wall, latencies, serverCpu: cpuAfter - cpuBefore, coreBefore, coreAfter: coreTimes(SERVER_CPU) });
}

/** What one load measured, from autocannon's counts and the CPU readings taken around it. */
export function loadResult(measured: {
  result: autocannon.Result;
  /** Seconds the requests took (autocannon's duration, or up to the last response). */
  seconds: number;
  /** Wall-clock seconds between the CPU readings. */
  wall: number;
  /** Response times of the 2xx answers in ms (sorted in place). */
  latencies: number[];
  /** CPU seconds the server used between the readings. */
  serverCpu: number;
  coreBefore: ReturnType<typeof coreTimes>;
  coreAfter: ReturnType<typeof coreTimes>;
}): LoadResult {
  const { result, seconds, wall, serverCpu, coreBefore, coreAfter } = measured;
  const sorted = measured.latencies.sort((a, b) => a - b);
  const ok = result['2xx'];
  const coreTotal = coreAfter.total - coreBefore.total;
  return {
    rps: seconds > 0 ? ok / seconds : Number.NaN,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSec: seconds,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: quantileSorted(sorted, 1),
    serverCpuPct: (serverCpu / wall) * 100,
    cpuUsPerRequest: ok > 0 ? (serverCpu / ok) * 1e6 : Number.NaN,
    foreignPct: Math.max(0, ((coreAfter.busy - coreBefore.busy - serverCpu) / coreTotal) * 100),
  };
}

/** Starts a load that runs until `stop()` (used for the login storm next to a measured load). */
export function startBackgroundLoad(options: LoadOptions & { duration: number }): { stop: () => Promise<autocannon.Result> } {
  let finish!: (result: autocannon.Result) => void;
  const done = new Promise<autocannon.Result>((resolve) => (finish = resolve));
  const instance = autocannon(
    {
      url: `${options.url}${options.path}`,
      method: options.method ?? 'GET',
      connections: options.connections,
      duration: options.duration,
      ...(options.body !== undefined ? { body: options.body, headers: { 'content-type': 'application/json' } } : {}),
      timeout: 60,
    },
    (_error, result) => finish(result),
  );
  return {
    stop: async () => {
      instance.stop();
      return done;
    },
  };
}
