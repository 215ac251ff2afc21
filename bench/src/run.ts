// The benchmark runner: `npm run bench` (full) or `npm run bench:quick`. Runs pinned to CPU 0 (the npm script starts
// it under `taskset -c 0`); every server is a child process pinned to CPU 1. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { BENCH_PASSWORD, BENCH_USERNAME, type ServerConfig } from './shared.js';
import { LOADGEN_CPU, SERVER_CPU, killAllServersNow, runLoad, startBackgroundLoad, startServer, stopAllServers, type BenchServer, type LoadOptions, type LoadResult } from './load.js';
import type { MicroRow } from './micro.js';
import { startDatabase, type BenchDatabase } from './mysql.js';
import { renderReport, type BenchReport, type MemoryResult, type ScenarioResult, type StormResult } from './report.js';
import { RESULTS_DIR, loadSettings, type Settings } from './settings.js';
import { coreTimes, hasCommand, machineInfo, ownAffinity, processCpuSeconds, topProcesses } from './system.js';

const settings = loadSettings();
let database: BenchDatabase | undefined;

function log(message: string): void {
  process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Waits until the server has (almost) stopped using CPU, e.g. queued argon2 work after a login storm. */
async function waitIdle(pid: number, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = processCpuSeconds(pid);
  while (Date.now() < deadline) {
    await sleep(250);
    const now = processCpuSeconds(pid);
    if (now - last < 0.02) return;
    last = now;
  }
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput scenarios (Express, Fastify, MySQL refresh)

interface ScenarioDef {
  id: string;
  group: ScenarioResult['group'];
  label: string;
  baseline?: string;
  note?: string;
  server: BenchServer;
  /** Load of one round (or warm-up) of `duration` seconds. */
  load(duration: number): Promise<LoadResult>;
}

function tokenLoad(server: BenchServer, path: string, kind: 'ours' | 'tutorial' | 'ours-rotating') {
  return (duration: number) => {
    const base: LoadOptions = { url: server.url, path, connections: settings.connections, duration, serverPid: server.pid };
    if (kind === 'ours-rotating') {
      const pool = server.ready.ours;
      let next = 0;
      return runLoad({ ...base, headersPerRequest: () => bearer(pool[next++ % pool.length]!) });
    }
    const pool = kind === 'ours' ? server.ready.ours : server.ready.tutorial;
    return runLoad({ ...base, headersForConnection: (i) => bearer(pool[i % pool.length]!) });
  };
}

async function httpScenarios(): Promise<ScenarioDef[]> {
  const defs: ScenarioDef[] = [];
  for (const adapter of ['express', 'fastify'] as const) {
    const name = adapter === 'express' ? 'Express' : 'Fastify';
    const open = `${adapter}-open`;
    const plain: ServerConfig = { adapter, sessionCheck: false, passport: adapter === 'express', tokenPool: settings.connections };
    const variants: { id: string; label: string; config: ServerConfig; path: string; kind: 'ours' | 'tutorial' | 'ours-rotating'; note?: string }[] = [
      { id: open, label: `${name} · unguarded`, config: plain, path: '/open', kind: 'ours' },
      {
        id: `${adapter}-allow-all`,
        label: `${name} · guard that returns true`,
        config: plain,
        path: '/allow-all',
        kind: 'ours',
        note: 'informational: the cost of Nest\'s guard machinery alone (any guard pays it)',
      },
      { id: `${adapter}-ours`, label: `${name} · AccessTokenGuard`, config: plain, path: '/ours', kind: 'ours' },
      {
        id: `${adapter}-ours-session`,
        label: `${name} · AccessTokenGuard + session check`,
        config: { ...plain, sessionCheck: true },
        path: '/ours',
        kind: 'ours',
        note: '`rejectRevokedAccessTokens: true`, in-memory store',
      },
      {
        id: `${adapter}-ours-uncached`,
        label: `${name} · AccessTokenGuard, ${settings.memoryTokens} rotating tokens`,
        config: { ...plain, tokenPool: settings.memoryTokens },
        path: '/ours',
        kind: 'ours-rotating',
        note: 'informational: every request carries the next of the tokens, so the verifier cache (1,000) always misses; the load generator also rebuilds every request',
      },
      { id: `${adapter}-tutorial`, label: `${name} · tutorial guard (@nestjs/jwt verify, string secret)`, config: plain, path: '/tutorial', kind: 'tutorial' },
      ...(adapter === 'express'
        ? [{ id: 'express-passport', label: 'Express · @nestjs/passport + passport-jwt (string secret)', config: plain, path: '/passport', kind: 'tutorial' as const }]
        : []),
    ];
    for (const variant of variants) {
      log(`starting server ${variant.id}`);
      const server = await startServer(variant.id, variant.config, { pin: true, cpuProfileDir: profileDir() });
      defs.push({
        id: variant.id,
        group: adapter,
        label: variant.label,
        baseline: variant.id === open ? undefined : open,
        note: variant.note,
        server,
        load: tokenLoad(server, variant.path, variant.kind),
      });
    }
  }
  return defs;
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/user/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: BENCH_USERNAME, password: BENCH_PASSWORD }),
  });
  if (response.status !== 201) throw new Error(`login answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { refresh_token: string }).refresh_token;
}

async function mysqlScenarios(db: BenchDatabase): Promise<ScenarioDef[]> {
  log('starting server mysql (Express, TypeOrmSessionStore)');
  const server = await startServer('mysql', { adapter: 'express', sessionCheck: false, passport: false, tokenPool: 1, mysqlUrl: db.url }, { pin: true, cpuProfileDir: profileDir() });
  const refresh = async (duration: number): Promise<LoadResult> => {
    // A chain per connection: each connection logs in first, then every response's refresh_token is the next
    // request's (rotation makes each token usable once, plus the grace window for the previous one).
    const tokens = await Promise.all(Array.from({ length: settings.connections }, () => login(server.url)));
    let broken = 0;
    const result = await runLoad({
      url: server.url,
      path: '/user/refresh',
      method: 'POST',
      connections: settings.connections,
      duration,
      serverPid: server.pid,
      setupClient: (client: autocannon.Client, index: number) => {
        const chain = { token: tokens[index]! };
        client.setRequests([
          {
            method: 'POST',
            path: '/user/refresh',
            headers: { 'content-type': 'application/json' },
            setupRequest: (request: autocannon.Request) => ({ ...request, body: JSON.stringify({ refresh_token: chain.token }) }),
            onResponse: (status: number, body: string) => {
              if (status === 201) chain.token = (JSON.parse(body) as { refresh_token: string }).refresh_token;
              else broken += 1;
            },
          },
        ]);
      },
    });
    if (broken > 0) log(`refresh: ${broken} non-201 answers (chain broken)`);
    return result;
  };
  return [
    {
      id: 'mysql-read',
      group: 'mysql',
      label: 'MySQL · unguarded route, one primary-key read',
      server,
      load: (duration) => runLoad({ url: server.url, path: '/db-read', connections: settings.connections, duration, serverPid: server.pid }),
    },
    {
      id: 'mysql-refresh',
      group: 'mysql',
      label: 'MySQL · POST /user/refresh with rotation',
      baseline: 'mysql-read',
      note: 'per-connection token chain; one compare-and-set UPDATE per refresh (the session is read only when it fails); user lookup in memory',
      server,
      load: refresh,
    },
  ];
}

/** Warms every scenario up, then runs `rounds` interleaved rounds (the starting scenario moves each round). */
async function measureInterleaved(defs: ScenarioDef[]): Promise<ScenarioResult[]> {
  for (const def of defs) {
    log(`warm-up ${def.id} (${settings.warmup}s)`);
    await def.load(settings.warmup);
  }
  const results = new Map<string, LoadResult[]>(defs.map((d) => [d.id, []]));
  for (let round = 0; round < settings.rounds; round += 1) {
    const order = defs.map((_, i) => defs[(i + round) % defs.length]!);
    for (const def of order) {
      const result = await def.load(settings.duration);
      results.get(def.id)!.push(result);
      log(
        `round ${round + 1}/${settings.rounds} ${def.id}: ${fmt(result.rps)} req/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms, ` +
          `${fmt(result.cpuUsPerRequest, 1)} µs CPU/req, server ${fmt(result.serverCpuPct)}% CPU, other load on CPU ${SERVER_CPU} ${fmt(result.foreignPct)}%` +
          (result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''),
      );
    }
  }
  return defs.map((def) => ({ id: def.id, group: def.group, label: def.label, baseline: def.baseline, note: def.note, rounds: results.get(def.id)! }));
}

// ---------------------------------------------------------------------------------------------------------------
// Login storm

async function stormSection(): Promise<StormResult[]> {
  const variants: { id: string; label: string; config: ServerConfig; target: boolean; note: string }[] = [
    {
      id: 'storm-async',
      label: 'argon2id async (libuv pool on a spare core)',
      config: { adapter: 'express', sessionCheck: false, passport: false, tokenPool: settings.connections, argon2: 'async', poolCpu: LOADGEN_CPU },
      target: true,
      note: `event loop on CPU ${SERVER_CPU}; libuv pool threads moved to CPU ${LOADGEN_CPU} at nice 19, so hashing has a core and the load generator keeps priority`,
    },
    ...(settings.stormSameCore
      ? [
          {
            id: 'storm-async-same-core',
            label: 'argon2id async, pool on the event loop’s core (informational)',
            config: { adapter: 'express', sessionCheck: false, passport: false, tokenPool: settings.connections, argon2: 'async' } satisfies ServerConfig,
            target: false,
            note: `everything on CPU ${SERVER_CPU}: four hashing threads share one core with the event loop (CPU contention, not blocking)`,
          },
        ]
      : []),
    {
      id: 'storm-sync',
      label: 'argon2id verifySync on the event loop (control)',
      config: { adapter: 'express', sessionCheck: false, passport: false, tokenPool: settings.connections, argon2: 'sync', poolCpu: LOADGEN_CPU },
      target: false,
      note: 'same layout as the target row, hashing blocks the event loop: shows what this test catches',
    },
  ];
  const results: StormResult[] = [];
  const servers: { variant: (typeof variants)[number]; server: BenchServer }[] = [];
  for (const variant of variants) {
    log(`starting server ${variant.id}`);
    const server = await startServer(variant.id, variant.config, { pin: true, cpuProfileDir: profileDir() });
    if (variant.config.poolCpu !== undefined) {
      log(`  libuv pool threads: ${server.ready.poolThreads.map((t) => `${t.tid} cpu ${t.cpus} nice ${t.nice}`).join(', ') || 'none found'}`);
    }
    servers.push({ variant, server });
  }
  const guarded = (server: BenchServer, duration: number) =>
    runLoad({ url: server.url, path: '/ours', connections: settings.connections, duration, serverPid: server.pid, headersForConnection: (i) => bearer(server.ready.ours[i % server.ready.ours.length]!) });
  const storm = async (server: BenchServer, duration: number): Promise<{ guarded: LoadResult; loginsPerSecond: number; loginErrors: number }> => {
    const logins = startBackgroundLoad({
      url: server.url,
      path: '/user/login',
      method: 'POST',
      connections: settings.stormConnections,
      duration: duration + 30,
      body: JSON.stringify({ username: BENCH_USERNAME, password: BENCH_PASSWORD }),
    });
    await sleep(500); // let the storm build up before measuring
    const result = await guarded(server, duration);
    const loginResult = await logins.stop();
    await waitIdle(server.pid);
    return { guarded: result, loginsPerSecond: loginResult['2xx'] / loginResult.duration, loginErrors: loginResult.non2xx + loginResult.errors };
  };

  for (const { server } of servers) {
    log(`warm-up ${server.name}`);
    await guarded(server, settings.warmup);
    await storm(server, settings.warmup);
  }
  const idle = new Map<string, LoadResult[]>();
  const stormy = new Map<string, { guarded: LoadResult; loginsPerSecond: number; loginErrors: number }[]>();
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const { variant, server } of servers) {
      const steps = round % 2 === 0 ? (['idle', 'storm'] as const) : (['storm', 'idle'] as const);
      for (const step of steps) {
        if (step === 'idle') {
          const result = await guarded(server, settings.duration);
          idle.set(variant.id, [...(idle.get(variant.id) ?? []), result]);
          log(`round ${round + 1}/${settings.rounds} ${variant.id} idle: ${fmt(result.rps)} req/s, p99 ${fmt(result.p99, 2)} ms`);
        } else {
          const result = await storm(server, settings.duration);
          stormy.set(variant.id, [...(stormy.get(variant.id) ?? []), result]);
          log(
            `round ${round + 1}/${settings.rounds} ${variant.id} storm: ${fmt(result.guarded.rps)} req/s, p99 ${fmt(result.guarded.p99, 2)} ms, ` +
              `${fmt(result.loginsPerSecond)} logins/s${result.loginErrors ? `, ${result.loginErrors} failed logins` : ''}`,
          );
        }
      }
    }
  }
  for (const { variant, server } of servers) {
    results.push({
      id: variant.id,
      label: variant.label,
      note: variant.note + (server.ready.notes.length ? ` (${server.ready.notes.join('; ')})` : ''),
      target: variant.target,
      poolThreads: server.ready.poolThreads,
      idle: idle.get(variant.id) ?? [],
      storm: (stormy.get(variant.id) ?? []).map((s) => s.guarded),
      loginsPerSecond: (stormy.get(variant.id) ?? []).map((s) => s.loginsPerSecond),
      loginErrors: (stormy.get(variant.id) ?? []).reduce((sum, s) => sum + s.loginErrors, 0),
    });
    await server.stop();
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// Memory

async function memorySection(): Promise<MemoryResult> {
  const total = settings.memoryRequests;
  const chunk = Math.max(settings.connections, Math.round(total / 10));
  log(`starting server memory (Express, session check on, ${settings.memoryTokens} sessions)`);
  const server = await startServer(
    'memory',
    { adapter: 'express', sessionCheck: true, passport: false, tokenPool: settings.memoryTokens },
    { pin: true, cpuProfileDir: profileDir(), exposeGc: true },
  );
  const pool = server.ready.ours;
  let next = 0;
  const start = await server.memory();
  const checkpoint = (requests: number, m: typeof start): MemoryResult['checkpoints'][number] => ({
    requests,
    rss: m.rss,
    heapUsed: m.heapUsed,
    rssAfterGc: m.rssAfterGc ?? Number.NaN,
    heapUsedAfterGc: m.heapUsedAfterGc ?? Number.NaN,
  });
  const checkpoints: MemoryResult['checkpoints'] = [checkpoint(0, start)];
  let done = 0;
  let rejected = 0;
  const startedAt = Date.now();
  while (done < total) {
    const amount = Math.min(chunk, total - done);
    const result = await runLoad({
      url: server.url,
      path: '/ours',
      connections: settings.connections,
      amount,
      serverPid: server.pid,
      headersPerRequest: () => bearer(pool[next++ % pool.length]!),
    });
    done += result.ok + result.non2xx;
    rejected += result.non2xx + result.errors;
    const memory = await server.memory();
    checkpoints.push(checkpoint(done, memory));
    log(
      `memory: ${done} requests, RSS ${(memory.rss / 2 ** 20).toFixed(1)} MiB (${((memory.rssAfterGc ?? Number.NaN) / 2 ** 20).toFixed(1)} after GC), ` +
        `heap ${((memory.heapUsedAfterGc ?? Number.NaN) / 2 ** 20).toFixed(1)} MiB after GC, ${result.cpuUsPerRequest.toFixed(1)} µs CPU/req`,
    );
  }
  await server.stop();
  return { totalRequests: done, tokens: settings.memoryTokens, rejected, seconds: (Date.now() - startedAt) / 1000, checkpoints };
}

// ---------------------------------------------------------------------------------------------------------------
// Micro-benchmark

async function microSection(): Promise<MicroRow[]> {
  const script = fileURLToPath(new URL('./micro.js', import.meta.url));
  const child = spawn('taskset', ['-c', String(SERVER_CPU), process.execPath, script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', BENCH_MICRO_MS: String(settings.microMs), BENCH_ROUNDS: String(settings.rounds) },
  });
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`micro-benchmark exited with ${code}`);
  const line = output.trim().split('\n').pop()!;
  return (JSON.parse(line) as { rows: MicroRow[] }).rows;
}

// ---------------------------------------------------------------------------------------------------------------

function profileDir(): string | undefined {
  if (!settings.cpuProfile) return undefined;
  const dir = `${RESULTS_DIR}profiles`;
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function main(s: Settings): Promise<void> {
  const started = Date.now();
  const machine = machineInfo();
  const environmentNotes: string[] = [];
  const affinity = ownAffinity();
  if (!hasCommand('taskset')) throw new Error('taskset (util-linux) is required to pin the server and the load generator');
  if (affinity !== String(LOADGEN_CPU)) {
    environmentNotes.push(`the runner (load generator) was not pinned to CPU ${LOADGEN_CPU} (affinity ${affinity}); start it with \`npm run bench\``);
  }
  const busyAtStart = topProcesses();
  const core0 = coreTimes(LOADGEN_CPU);
  const core1 = coreTimes(SERVER_CPU);
  log(`profile ${s.profile}: ${s.rounds} rounds × ${s.duration}s, warm-up ${s.warmup}s, ${s.connections} connections, sections ${s.sections.join(',')}`);

  const report: BenchReport = { settings: s, machine, environmentNotes, busyAtStart, scenarios: [], skipped: [] };

  if (s.sections.includes('http')) {
    const defs = await httpScenarios();
    report.scenarios.push(...(await measureInterleaved(defs)));
    await stopAllServers();
  }
  if (s.sections.includes('mysql')) {
    try {
      log('starting the database');
      const db = await startDatabase(LOADGEN_CPU);
      if (typeof db === 'string') {
        report.skipped.push(`MySQL refresh: ${db}`);
        log(`skipping MySQL: ${db}`);
      } else {
        database = db;
        report.database = { image: db.image, placement: db.placement };
        const defs = await mysqlScenarios(db);
        report.scenarios.push(...(await measureInterleaved(defs)));
        await stopAllServers();
      }
    } catch (error) {
      report.skipped.push(`MySQL refresh failed: ${(error as Error).message}`);
      log(`MySQL section failed: ${(error as Error).stack}`);
      await stopAllServers();
    } finally {
      await database?.stop().catch(() => undefined);
      database = undefined;
    }
  }
  if (s.sections.includes('storm')) report.storm = await stormSection();
  if (s.sections.includes('memory')) report.memory = await memorySection();
  if (s.sections.includes('micro')) {
    log('micro-benchmark');
    report.micro = await microSection();
  }

  const core0End = coreTimes(LOADGEN_CPU);
  const core1End = coreTimes(SERVER_CPU);
  report.busyAtEnd = topProcesses();
  report.loadAverageEnd = machineInfo().loadAverage;
  report.coreBusyPct = {
    [LOADGEN_CPU]: ((core0End.busy - core0.busy) / (core0End.total - core0.total)) * 100,
    [SERVER_CPU]: ((core1End.busy - core1.busy) / (core1End.total - core1.total)) * 100,
  };
  report.totalSeconds = (Date.now() - started) / 1000;

  mkdirSync(dirname(s.reportPath), { recursive: true });
  const markdown = renderReport(report);
  writeFileSync(s.reportPath, markdown);
  writeFileSync(s.jsonPath, JSON.stringify(report, null, 2));
  process.stdout.write(`\n${markdown}\n`);
  log(`report written to ${s.reportPath} (${Math.round(report.totalSeconds)} s)`);
}

async function shutdown(code: number): Promise<never> {
  await stopAllServers().catch(() => killAllServersNow());
  await database?.stop().catch(() => undefined);
  process.exit(code);
}

process.once('SIGINT', () => void shutdown(130));
process.once('SIGTERM', () => void shutdown(143));

main(settings)
  .then(() => shutdown(0))
  .catch(async (error: unknown) => {
    console.error('[bench] failed:', error);
    await shutdown(1);
  });
