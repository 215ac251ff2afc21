// The benchmark runner: `npm run bench` (full) or `npm run bench:quick`. Runs pinned to CPU 0 (the npm script starts
// it under `taskset -c 0`); every server is a child process pinned to CPU 1. See bench/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type autocannon from 'autocannon';
import { writeCharts } from './charts.js';
import { measureClientSize } from './client-size.js';
import { BENCH_PASSWORD, BENCH_USERNAME, type ServerConfig } from './shared.js';
import { LOADGEN_CPU, SERVER_CPU, bearer, killAllServersNow, runLoad, startBackgroundLoad, startServer, stopAllServers, type BenchServer, type LoadOptions, type LoadResult } from './load.js';
import type { MicroRow } from './micro.js';
import { startDatabase, type BenchDatabase } from './mysql.js';
import { startBenchRedis } from './redis.js';
import { measureLoginThroughput } from './login-throughput.js';
import { measureRevocationLatency } from './revocation-latency.js';
import { renderReport, type BenchReport, type MemoryResult, type ScenarioResult, type StormResult } from './report.js';
import { RESULTS_DIR, loadSettings, type Settings } from './settings.js';
import { emptyManyUsersResult, manyUsersPairs } from './many-users.js';
import { measureSimultaneousPairs, type SimultaneousPair } from './simultaneous.js';
import { benchThreadPoolSize } from './thread-pool.js';
import { transportPairs } from './transports.js';
import { coreTimes, hasCommand, machineInfo, ownAffinity, processCpuSeconds, topProcesses } from './system.js';

const settings = loadSettings();
/** Unmeasured load on a server before its first measurement of a round. */
const SETTLE_SECONDS = 1;
let database: BenchDatabase | undefined;
let redisServer: BenchDatabase | undefined;
/** The second Redis of the Redis section (appendfsync everysec), while it runs. */
let everysecRedis: BenchDatabase | undefined;

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

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

// ---------------------------------------------------------------------------------------------------------------
// Throughput scenarios (Express, Fastify, MySQL refresh)

interface ScenarioDef {
  id: string;
  group: ScenarioResult['group'];
  label: string;
  note?: string;
  /** Load of one round (or warm-up) of `duration` seconds. */
  load(duration: number): Promise<LoadResult>;
}

/**
 * One server process and the scenarios measured on it. Every scenario is compared with the unguarded route of the
 * same process, measured right before and right after it (a bracket), so neither drift of the shared machine nor
 * differences between processes (JIT, heap layout) end up in the ratio.
 */
interface ServerGroup {
  server: BenchServer;
  /** The in-process baseline: id of the reported unguarded row, or undefined when it is only used for brackets. */
  baselineId?: string;
  baselineLabel: string;
  baseline(duration: number): Promise<LoadResult>;
  scenarios: ScenarioDef[];
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

async function httpGroups(): Promise<ServerGroup[]> {
  const groups: ServerGroup[] = [];
  for (const adapter of ['express', 'fastify'] as const) {
    const name = adapter === 'express' ? 'Express' : 'Fastify';
    // One process carries every scenario that needs no other module options or token pool; the others get their
    // own process, each with its own unguarded route as the bracket.
    const plain: ServerConfig = { adapter, sessionCheck: false, passport: adapter === 'express', tokenPool: settings.connections };
    log(`starting server ${adapter}`);
    const plainServer = await startServer(adapter, plain, { pin: true, cpuProfileDir: profileDir() });
    const open = (server: BenchServer) => tokenLoad(server, '/open', 'ours');
    const scenario = (server: BenchServer, id: string, label: string, path: string, kind: 'ours' | 'tutorial' | 'ours-rotating', note?: string): ScenarioDef => ({
      id,
      group: adapter,
      label,
      note,
      load: tokenLoad(server, path, kind),
    });
    groups.push({
      server: plainServer,
      baselineId: `${adapter}-open`,
      baselineLabel: `${name} · unguarded`,
      baseline: open(plainServer),
      scenarios: [
        scenario(plainServer, `${adapter}-allow-all`, `${name} · guard that returns true`, '/allow-all', 'ours',
          'informational: the cost of Nest\'s guard machinery alone (any guard pays it)'),
        scenario(plainServer, `${adapter}-ours`, `${name} · AccessTokenGuard`, '/ours', 'ours'),
        scenario(plainServer, `${adapter}-tutorial`, `${name} · tutorial guard (@nestjs/jwt verify, string secret)`, '/tutorial', 'tutorial'),
        ...(adapter === 'express'
          ? [scenario(plainServer, 'express-passport', 'Express · @nestjs/passport + passport-jwt (string secret)', '/passport', 'tutorial')]
          : []),
      ],
    });

    const ownProcess = async (id: string, config: ServerConfig, make: (server: BenchServer) => ScenarioDef): Promise<void> => {
      log(`starting server ${id}`);
      const server = await startServer(id, config, { pin: true, cpuProfileDir: profileDir() });
      groups.push({ server, baselineLabel: `${name} · unguarded (in the ${id} server)`, baseline: open(server), scenarios: [make(server)] });
    };
    await ownProcess(`${adapter}-session-check`, { ...plain, sessionCheck: true }, (server) =>
      scenario(server, `${adapter}-ours-session`, `${name} · AccessTokenGuard + session check`, '/ours', 'ours',
        '`rejectRevokedAccessTokens: true`, in-memory store; its own process, compared with the unguarded route of that process'),
    );
    await ownProcess(`${adapter}-rotating-tokens`, { ...plain, tokenPool: settings.memoryTokens }, (server) =>
      scenario(server, `${adapter}-ours-uncached`, `${name} · AccessTokenGuard, ${settings.memoryTokens} rotating tokens`, '/ours', 'ours-rotating',
        'informational: every request carries the next of the tokens, so the verifier cache (1,000) always misses; the load generator also rebuilds every request; its own process'),
    );
  }
  return groups;
}

/** The guard targets' scenarios, each on a pair of identical processes measured at the same time (simultaneous.ts). */
function simultaneousPairs(): SimultaneousPair[] {
  const pairs: SimultaneousPair[] = [];
  for (const adapter of ['express', 'fastify'] as const) {
    const name = adapter === 'express' ? 'Express' : 'Fastify';
    const plain: ServerConfig = { adapter, sessionCheck: false, passport: adapter === 'express', tokenPool: settings.connections };
    pairs.push({
      name: `${adapter}-simultaneous`,
      group: adapter,
      config: plain,
      scenarios: [
        { id: `sim-${adapter}-open`, label: `${name} · unguarded (A/A control)`, path: '/open', tokens: 'ours',
          note: 'the unguarded route on both processes: what is left of the noise' },
        { id: `sim-${adapter}-allow-all`, label: `${name} · guard that returns true`, path: '/allow-all', tokens: 'ours' },
        { id: `sim-${adapter}-ours`, label: `${name} · AccessTokenGuard`, path: '/ours', tokens: 'ours' },
        { id: `sim-${adapter}-handwritten`, label: `${name} · hand-written fast-jwt guard (its cache on)`, path: '/handwritten', tokens: 'ours' },
        adapter === 'express'
          ? { id: 'sim-express-passport', label: 'Express · @nestjs/passport + passport-jwt (string secret)', path: '/passport', tokens: 'tutorial' }
          : { id: 'sim-fastify-tutorial', label: 'Fastify · tutorial guard (@nestjs/jwt verify, string secret)', path: '/tutorial', tokens: 'tutorial' },
      ],
    });
    pairs.push({
      name: `${adapter}-session-check-simultaneous`,
      group: adapter,
      config: { ...plain, sessionCheck: true },
      scenarios: [
        { id: `sim-${adapter}-ours-session`, label: `${name} · AccessTokenGuard + session check`, path: '/ours', tokens: 'ours',
          note: '`rejectRevokedAccessTokens: true`, in-memory store; its own pair of processes' },
      ],
    });
  }
  return pairs;
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

/**
 * `POST /user/refresh` with rotation, a chain per connection: each connection logs in first, then every response's
 * refresh_token is the next request's (rotation makes each token usable once, plus the grace window for the previous one).
 */
function refreshLoad(server: BenchServer): (duration: number) => Promise<LoadResult> {
  return async (duration) => {
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
    if (broken > 0) log(`refresh on ${server.name}: ${broken} non-201 answers (chain broken)`);
    return result;
  };
}

async function mysqlGroup(db: BenchDatabase): Promise<ServerGroup> {
  log('starting server mysql (Express, TypeOrmSessionStore)');
  const server = await startServer('mysql', { adapter: 'express', sessionCheck: false, passport: false, tokenPool: 1, mysqlUrl: db.url }, { pin: true, cpuProfileDir: profileDir() });
  return {
    server,
    baselineId: 'mysql-read',
    baselineLabel: 'MySQL · unguarded route, one primary-key read',
    baseline: (duration) => runLoad({ url: server.url, path: '/db-read', connections: settings.connections, duration, serverPid: server.pid }),
    scenarios: [
      {
        id: 'mysql-refresh',
        group: 'mysql',
        label: 'MySQL · POST /user/refresh with rotation',
        note: 'per-connection token chain; one compare-and-set UPDATE per refresh, a prepared statement on the DataSource\'s mysql2 pool (the session is read only when it fails); user lookup in memory',
        load: refreshLoad(server),
      },
    ],
  };
}

/**
 * Warms every server up, then runs `rounds` rounds. In a round each server, after a second of unmeasured load, runs
 * its baseline and its scenarios as baseline, A, baseline, B, baseline, ... (scenarios reversed every other round), so
 * each scenario has a baseline measurement of its own process on both sides.
 */
async function measureBracketed(groups: ServerGroup[]): Promise<ScenarioResult[]> {
  for (const group of groups) {
    log(`warm-up ${group.server.name} (${settings.warmup}s per route)`);
    await group.baseline(settings.warmup);
    for (const def of group.scenarios) await def.load(settings.warmup);
  }
  const baselineRounds = new Map<ServerGroup, LoadResult[]>(groups.map((g) => [g, []]));
  const rounds = new Map<string, { result: LoadResult; bracket: [LoadResult, LoadResult] }[]>();
  const report = (round: number, id: string, result: LoadResult) =>
    log(
      `round ${round + 1}/${settings.rounds} ${id}: ${fmt(result.rps)} req/s, p50 ${fmt(result.p50, 2)} ms, p99 ${fmt(result.p99, 2)} ms, ` +
        `${fmt(result.cpuUsPerRequest, 1)} µs CPU/req, server ${fmt(result.serverCpuPct)}% CPU, other load on CPU ${SERVER_CPU} ${fmt(result.foreignPct)}%` +
        (result.non2xx || result.errors ? `, ${result.non2xx} non-2xx, ${result.errors} errors` : ''),
    );
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const group of groups) {
      const order = round % 2 === 0 ? group.scenarios : [...group.scenarios].reverse();
      const baselineName = group.baselineId ?? `${group.server.name}-open`;
      // Unmeasured: a process that sat idle while the others ran answers its first second measurably slower (cold
      // caches), which would make the first bracket low and flatter the scenario after it.
      await group.baseline(SETTLE_SECONDS);
      let before = await group.baseline(settings.duration);
      baselineRounds.get(group)!.push(before);
      report(round, baselineName, before);
      for (const def of order) {
        const result = await def.load(settings.duration);
        report(round, def.id, result);
        const after = await group.baseline(settings.duration);
        baselineRounds.get(group)!.push(after);
        report(round, baselineName, after);
        rounds.set(def.id, [...(rounds.get(def.id) ?? []), { result, bracket: [before, after] }]);
        before = after;
      }
    }
  }
  const results: ScenarioResult[] = [];
  for (const group of groups) {
    if (group.baselineId) {
      const resultGroup = group.scenarios[0]!.group;
      results.push({ id: group.baselineId, group: resultGroup, label: group.baselineLabel, rounds: baselineRounds.get(group)! });
    }
    for (const def of group.scenarios) {
      const measured = rounds.get(def.id) ?? [];
      results.push({
        id: def.id,
        group: def.group,
        label: def.label,
        note: def.note,
        baselineLabel: group.baselineLabel,
        rounds: measured.map((m) => m.result),
        brackets: measured.map((m) => m.bracket),
      });
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// Login storm

interface StormVariant {
  id: string;
  label: string;
  config: ServerConfig;
  target: boolean;
  note: string;
  /** Processes the logins are spread over (same configuration); the guarded route is measured on the first. @default 1 */
  instances?: number;
}

function stormVariants(): StormVariant[] {
  return [
    {
      id: 'storm-async',
      label: 'argon2id async (libuv pool on a spare core)',
      config: { adapter: 'express', sessionCheck: false, passport: false, tokenPool: settings.connections, argon2: 'async', poolCpu: LOADGEN_CPU, threadPoolSize: benchThreadPoolSize() },
      target: true,
      note: `event loop on CPU ${SERVER_CPU}; libuv pool (UV_THREADPOOL_SIZE=${benchThreadPoolSize()}: one thread per core given to hashing) moved to CPU ${LOADGEN_CPU} at nice 19, so hashing has a core and the load generator keeps priority`,
    },
    ...(settings.stormSameCore
      ? [
          {
            id: 'storm-async-same-core',
            label: 'argon2id async, pool on the event loop’s core (informational)',
            config: { adapter: 'express', sessionCheck: false, passport: false, tokenPool: settings.connections, argon2: 'async', threadPoolSize: benchThreadPoolSize() } satisfies ServerConfig,
            target: false,
            note: `everything on CPU ${SERVER_CPU}: the hashing thread(s) (UV_THREADPOOL_SIZE=${benchThreadPoolSize()}) share one core with the event loop (CPU contention, not blocking)`,
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
}

async function stormSection(variants: StormVariant[]): Promise<StormResult[]> {
  const results: StormResult[] = [];
  const servers: { variant: StormVariant; server: BenchServer; loginServers: BenchServer[] }[] = [];
  for (const variant of variants) {
    const loginServers: BenchServer[] = [];
    for (let i = 0; i < (variant.instances ?? 1); i += 1) {
      const name = i === 0 ? variant.id : `${variant.id}-${i + 1}`;
      log(`starting server ${name}`);
      const server = await startServer(name, variant.config, { pin: true, cpuProfileDir: profileDir() });
      if (variant.config.poolCpu !== undefined) {
        log(`  libuv pool threads: ${server.ready.poolThreads.map((t) => `${t.tid} cpu ${t.cpus} nice ${t.nice}`).join(', ') || 'none found'}`);
      }
      loginServers.push(server);
    }
    servers.push({ variant, server: loginServers[0]!, loginServers });
  }
  const guarded = (server: BenchServer, duration: number) =>
    runLoad({ url: server.url, path: '/ours', connections: settings.connections, duration, serverPid: server.pid, headersForConnection: (i) => bearer(server.ready.ours[i % server.ready.ours.length]!) });
  const storm = async (server: BenchServer, loginServers: BenchServer[], duration: number): Promise<{ guarded: LoadResult; loginsPerSecond: number; loginErrors: number }> => {
    const logins = loginServers.map((loginServer) =>
      startBackgroundLoad({
        url: loginServer.url,
        path: '/user/login',
        method: 'POST',
        connections: Math.max(1, Math.round(settings.stormConnections / loginServers.length)),
        duration: duration + 30,
        body: JSON.stringify({ username: BENCH_USERNAME, password: BENCH_PASSWORD }),
      }),
    );
    await sleep(500); // let the storm build up before measuring
    const result = await guarded(server, duration);
    const loginResults = await Promise.all(logins.map((l) => l.stop()));
    for (const loginServer of loginServers) await waitIdle(loginServer.pid);
    return {
      guarded: result,
      loginsPerSecond: loginResults.reduce((sum, r) => sum + r['2xx'] / r.duration, 0),
      loginErrors: loginResults.reduce((sum, r) => sum + r.non2xx + r.errors, 0),
    };
  };

  for (const { server, loginServers } of servers) {
    log(`warm-up ${server.name}`);
    await guarded(server, settings.warmup);
    await storm(server, loginServers, settings.warmup);
  }
  const idle = new Map<string, LoadResult[]>();
  const stormy = new Map<string, { guarded: LoadResult; loginsPerSecond: number; loginErrors: number }[]>();
  for (let round = 0; round < settings.rounds; round += 1) {
    for (const { variant, server, loginServers } of servers) {
      const steps = round % 2 === 0 ? (['idle', 'storm'] as const) : (['storm', 'idle'] as const);
      for (const step of steps) {
        if (step === 'idle') {
          const result = await guarded(server, settings.duration);
          idle.set(variant.id, [...(idle.get(variant.id) ?? []), result]);
          log(`round ${round + 1}/${settings.rounds} ${variant.id} idle: ${fmt(result.rps)} req/s, p99 ${fmt(result.p99, 2)} ms`);
        } else {
          const result = await storm(server, loginServers, settings.duration);
          stormy.set(variant.id, [...(stormy.get(variant.id) ?? []), result]);
          log(
            `round ${round + 1}/${settings.rounds} ${variant.id} storm: ${fmt(result.guarded.rps)} req/s, p99 ${fmt(result.guarded.p99, 2)} ms, ` +
              `${fmt(result.loginsPerSecond)} logins/s${result.loginErrors ? `, ${result.loginErrors} failed logins` : ''}`,
          );
        }
      }
    }
  }
  for (const { variant, server, loginServers } of servers) {
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
    await Promise.all(loginServers.map((s) => s.stop()));
  }
  return results;
}

// ---------------------------------------------------------------------------------------------------------------
// Redis

/**
 * `revocationCheckCacheSeconds` of the Redis deployments: far longer than any measurement, so an instance can only
 * learn of a logout elsewhere through the push (RedisSessionRevocationBus), and the guard's session check makes no
 * Redis call per request.
 */
const REDIS_REVOCATION_CACHE_SECONDS = 300;

/**
 * The Redis deployment (sessions, limits and revocation push on one Redis, like the README's quick start): refresh
 * against one GET (bracketed), the session check against unguarded (simultaneous pair), the cross-instance
 * revocation latency, and a login storm over two instances sharing limits.
 */
async function redisSection(report: BenchReport): Promise<void> {
  try {
    log('starting Redis');
    const started = await startBenchRedis(LOADGEN_CPU);
    if (typeof started === 'string') {
      report.skipped.push(`Redis scenarios: ${started}`);
      log(`skipping Redis: ${started}`);
      return;
    }
    redisServer = started;
    report.redis = { image: started.image, placement: started.placement };
    const deployment: ServerConfig = {
      adapter: 'express',
      sessionCheck: true,
      passport: false,
      tokenPool: 1,
      redisUrl: started.url,
      revocationCheckCacheSeconds: REDIS_REVOCATION_CACHE_SECONDS,
    };

    // Refresh on the store against the same refresh on the in-memory store, on a Redis that fsyncs before answering
    // each write (the README's first choice) and, in the same rounds, on one that fsyncs once a second (its
    // alternative): what the store costs, and what the fsync before each rotation's answer adds to it.
    const everysec = await startBenchRedis(LOADGEN_CPU, 'everysec');
    const refreshGroups = await redisRefreshGroups(deployment, 'always');
    if (typeof everysec === 'string') {
      report.skipped.push(`Redis refresh with appendfsync everysec: ${everysec}`);
    } else {
      everysecRedis = everysec;
      report.redisEverysec = { image: everysec.image, placement: everysec.placement };
      refreshGroups.push(...(await redisRefreshGroups({ ...deployment, redisUrl: everysec.url }, 'everysec')));
    }
    report.scenarios.push(...(await measureBracketed(refreshGroups)));
    await Promise.all(refreshGroups.map((group) => group.server.stop()));
    await everysecRedis?.stop();
    everysecRedis = undefined;

    const pair: SimultaneousPair = {
      name: 'express-redis-session-check-simultaneous',
      group: 'express',
      config: { ...deployment, tokenPool: settings.connections },
      scenarios: [
        {
          id: 'sim-express-ours-session-redis',
          label: 'Express · AccessTokenGuard + session check, sessions on Redis',
          path: '/ours',
          tokens: 'ours',
          note: `\`rejectRevokedAccessTokens: true\` on \`RedisSessionStore\` with \`RedisSessionRevocationBus\`, revocationCheckCacheSeconds ${REDIS_REVOCATION_CACHE_SECONDS}: revocations arrive by push, so the check answers from its cache`,
        },
      ],
    };
    report.simultaneous = [...(report.simultaneous ?? []), ...(await measureSimultaneousPairs([pair], settings, log, profileDir()))];

    log(`starting servers redis-instance-a and redis-instance-b (revocation latency, ${settings.revocationSamples} logouts)`);
    const instanceA = await startServer('redis-instance-a', deployment, { pin: true, cpuProfileDir: profileDir() });
    const instanceB = await startServer('redis-instance-b', deployment, { pin: true, cpuProfileDir: profileDir() });
    report.revocation = await measureRevocationLatency(instanceA, instanceB, settings.revocationSamples, REDIS_REVOCATION_CACHE_SECONDS);
    log(`revocation latency: ${report.revocation.latenciesMs.length} logouts timed, ${report.revocation.missed} missed`);
    await Promise.all([instanceA.stop(), instanceB.stop()]);

    const storm = await stormSection([
      {
        id: 'storm-redis-two-instances',
        label: 'argon2id async, two instances sharing limits on Redis',
        config: {
          adapter: 'express',
          sessionCheck: false,
          passport: false,
          tokenPool: settings.connections,
          argon2: 'async',
          poolCpu: LOADGEN_CPU,
          threadPoolSize: benchThreadPoolSize(),
          redisUrl: started.url,
          rateLimit: true,
        },
        target: true,
        instances: 2,
        note:
          `as the target row, but the logins are spread over two instances (event loops on CPU ${SERVER_CPU}, pools on CPU ${LOADGEN_CPU}) whose ` +
          'sessions and login limits are on one Redis (`RedisRateLimitStore`: each login reserves a point on the three login limits and gives it back; ' +
          'the limits are set too high to refuse anyone); the guarded route is measured on the first instance',
      },
    ]);
    report.storm = [...(report.storm ?? []), ...storm];
  } catch (error) {
    report.skipped.push(`Redis scenarios failed: ${(error as Error).message}`);
    log(`Redis section failed: ${(error as Error).stack}`);
    await stopAllServers();
  } finally {
    await everysecRedis?.stop().catch(() => undefined);
    everysecRedis = undefined;
    await redisServer?.stop().catch(() => undefined);
    redisServer = undefined;
  }
}

/**
 * The refresh rows of one Redis: `POST /user/refresh` with `RedisSessionStore`, and the same app with
 * `InMemorySessionStore` (same Redis client, same one-GET bracket), each in its own server. Ids and labels of the
 * `everysec` rows carry `everysec`; the `always` rows keep the ids of earlier reports.
 */
async function redisRefreshGroups(deployment: ServerConfig, appendfsync: 'always' | 'everysec'): Promise<ServerGroup[]> {
  const always = appendfsync === 'always';
  const prefix = always ? 'redis' : 'redis-everysec';
  const title = always ? 'Redis' : 'Redis (appendfsync everysec)';
  log(`starting server ${prefix} (Express, RedisSessionStore)`);
  const server = await startServer(prefix, deployment, { pin: true, cpuProfileDir: profileDir() });
  const group: ServerGroup = {
    server,
    baselineId: `${prefix}-read`,
    baselineLabel: `${title} · unguarded route, one GET`,
    baseline: (duration) => runLoad({ url: server.url, path: '/redis-read', connections: settings.connections, duration, serverPid: server.pid }),
    scenarios: [
      {
        id: `${prefix}-refresh`,
        group: 'redis',
        label: `${title} · POST /user/refresh with rotation`,
        note:
          'per-connection token chain; one EVALSHA (the compare-and-set script) per refresh; rate limits off and user lookup in memory, as in the MySQL row' +
          (always ? '' : '; Redis answers each write before it is on disk (fsync once a second)'),
        load: refreshLoad(server),
      },
    ],
  };
  log(`starting server ${prefix}-memory-sessions (Express, InMemorySessionStore, same Redis client)`);
  const memoryServer = await startServer(`${prefix}-memory-sessions`, { ...deployment, inMemorySessions: true }, { pin: true, cpuProfileDir: profileDir() });
  const memoryGroup: ServerGroup = {
    server: memoryServer,
    baselineLabel: `${title} · unguarded route, one GET (in the ${prefix}-memory-sessions server)`,
    baseline: (duration) => runLoad({ url: memoryServer.url, path: '/redis-read', connections: settings.connections, duration, serverPid: memoryServer.pid }),
    scenarios: [
      {
        id: `${prefix}-memory-refresh`,
        group: 'redis',
        label: `In-memory sessions · POST /user/refresh with rotation (same app, same Redis client for the GET route${always ? '' : ', appendfsync everysec'})`,
        note: `the ${title} row with \`InMemorySessionStore\` in place of \`RedisSessionStore\`: ${title} refresh over this row is what the Redis store costs`,
        load: refreshLoad(memoryServer),
      },
    ],
  };
  return [group, memoryGroup];
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
    spaces: m.spaces,
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
    env: { ...process.env, NODE_ENV: 'production', BENCH_MICRO_MS: String(settings.microMs) },
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
    const groups = await httpGroups();
    report.scenarios.push(...(await measureBracketed(groups)));
    await stopAllServers();
    report.simultaneous = await measureSimultaneousPairs(simultaneousPairs(), s, log, profileDir());
  }
  if (s.sections.includes('many-users')) {
    report.manyUsers = emptyManyUsersResult(s);
    report.simultaneous = [...(report.simultaneous ?? []), ...(await measureSimultaneousPairs(manyUsersPairs(s, report.manyUsers), s, log, profileDir()))];
  }
  if (s.sections.includes('transports')) {
    report.simultaneous = [...(report.simultaneous ?? []), ...(await measureSimultaneousPairs(transportPairs(s), s, log, profileDir()))];
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
        report.scenarios.push(...(await measureBracketed([await mysqlGroup(db)])));
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
  if (s.sections.includes('storm')) report.storm = [...(report.storm ?? []), ...(await stormSection(stormVariants()))];
  if (s.sections.includes('login')) report.login = await measureLoginThroughput(s, log, profileDir());
  if (s.sections.includes('redis')) await redisSection(report);
  if (s.sections.includes('memory')) report.memory = await memorySection();
  if (s.sections.includes('client-size')) report.clientSize = await measureClientSize();
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
  for (const chart of writeCharts(report, s.reportPath)) log(`chart written to ${chart}`);
  process.stdout.write(`\n${markdown}\n`);
  log(`report written to ${s.reportPath} (${Math.round(report.totalSeconds)} s)`);
}

async function shutdown(code: number): Promise<never> {
  await stopAllServers().catch(() => killAllServersNow());
  await database?.stop().catch(() => undefined);
  await redisServer?.stop().catch(() => undefined);
  await everysecRedis?.stop().catch(() => undefined);
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
