// Turns the measurements into bench/results/latest.md (and the raw numbers into latest.json).
import { renderClientSizeSection, type ClientSizeResult } from './client-size.js';
import type { LoadResult } from './load.js';
import { loginThroughputTarget, renderLoginSection } from './login-report.js';
import type { LoginThroughputResult } from './login-throughput.js';
import type { ManyUsersResult } from './many-users.js';
import { manyUsersCeilingTarget, renderManyUsersSection } from './many-users-report.js';
import type { MicroRow } from './micro.js';
import { UNCACHED_VERIFICATION_OPERATION, VERIFICATION_FLOOR_OPERATION } from './micro-operations.js';
import type { RevocationLatencyResult } from './revocation-latency.js';
import type { ReadyMessage } from './shared.js';
import type { Settings } from './settings.js';
import { max, median, min, quantileSorted } from './stats.js';
import type { MachineInfo } from './system.js';

export interface ScenarioResult {
  id: string;
  group: 'express' | 'fastify' | 'mysql' | 'redis';
  label: string;
  note?: string;
  rounds: LoadResult[];
  /** Label of the in-process baseline (the unguarded route of the same server process). */
  baselineLabel?: string;
  /** For each round, the baseline measured right before and right after it in the same process. */
  brackets?: [LoadResult, LoadResult][];
}

/** One window of a simultaneous pair: the unguarded route on one process while the other serves the route. */
export interface SimultaneousWindow {
  baseline: LoadResult;
  route: LoadResult;
}

export interface SimultaneousResult {
  id: string;
  group: 'express' | 'fastify' | 'graphql-apollo' | 'graphql-mercurius' | 'socket.io';
  label: string;
  note?: string;
  /** Per round two windows, the second with the processes' roles and the start order swapped. */
  rounds: [SimultaneousWindow, SimultaneousWindow][];
}

/**
 * A round's capacity ratio of the route to the unguarded route: unguarded CPU per request over the route's, in each
 * window, combined over the two windows by the geometric mean (so which process served which route cancels out).
 */
export function simultaneousRoundRatio(round: [SimultaneousWindow, SimultaneousWindow]): number {
  const ratioOf = (w: SimultaneousWindow) => w.baseline.cpuUsPerRequest / w.route.cpuUsPerRequest;
  return Math.sqrt(ratioOf(round[0]) * ratioOf(round[1]));
}

export interface StormResult {
  id: string;
  label: string;
  note: string;
  /** Whether a storm target (≤ 1.2× idle p99 on one instance, ≤ 2× over two on Redis) is judged on this row. */
  target: boolean;
  poolThreads: ReadyMessage['poolThreads'];
  idle: LoadResult[];
  storm: LoadResult[];
  loginsPerSecond: number[];
  loginErrors: number;
}

export interface MemoryResult {
  totalRequests: number;
  tokens: number;
  rejected: number;
  seconds: number;
  /**
   * RSS and heap as found (RSS as found is judged by the target), then after a forced full GC; `spaces` are V8's
   * committed bytes per heap space after that GC.
   */
  checkpoints: {
    requests: number;
    rss: number;
    heapUsed: number;
    rssAfterGc: number;
    heapUsedAfterGc: number;
    spaces?: Record<string, number>;
  }[];
}

export interface BenchReport {
  settings: Settings;
  machine: MachineInfo;
  environmentNotes: string[];
  busyAtStart: string[];
  busyAtEnd?: string[];
  loadAverageEnd?: number[];
  coreBusyPct?: Record<number, number>;
  totalSeconds?: number;
  scenarios: ScenarioResult[];
  /** Capacity ratios measured simultaneously (the basis of the guard targets when present). */
  simultaneous?: SimultaneousResult[];
  skipped: string[];
  database?: { image: string; placement: string };
  redis?: { image: string; placement: string };
  /** The second Redis of the refresh rows (`appendfsync everysec`). */
  redisEverysec?: { image: string; placement: string };
  revocation?: RevocationLatencyResult;
  storm?: StormResult[];
  /** `POST /user/login` against the argon2id-only route (the `login` section). */
  login?: LoginThroughputResult;
  memory?: MemoryResult;
  micro?: MicroRow[];
  /** Bundle sizes of the client's entry points (the `client-size` section). */
  clientSize?: ClientSizeResult;
  /** The many-users scenario's floors and memory (its windows are in `simultaneous`). */
  manyUsers?: ManyUsersResult;
}

/** A bracketed scenario's medians and per-round ratios, as the Throughput table shows them. */
export interface Summary {
  result: ScenarioResult;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  cpuUs: number;
  serverCpu: number;
  foreign: number;
  errors: number;
  /** Per round: req/s divided by the mean req/s of its bracket (undefined for a baseline row). */
  normalized?: number[];
  /** Per round: the bracket's mean CPU µs per request divided by this one's. */
  cpuNormalized?: number[];
  /** Median req/s of the brackets (the in-process baseline). */
  bracketRps?: number;
  /** Median of `normalized`: the ratio to the unguarded route of the same process. */
  ratio?: number;
  /** Median of `cpuNormalized`: the capacity ratio when the server (not the load generator) is the bottleneck. */
  cpuRatio?: number;
}

const meanOf = (pair: [LoadResult, LoadResult], pick: (r: LoadResult) => number) => (pick(pair[0]) + pick(pair[1])) / 2;

/** Summaries of the bracketed scenarios by id, in the order they were measured. */
export function summarize(results: ScenarioResult[]): Map<string, Summary> {
  const summaries = new Map<string, Summary>();
  for (const result of results) {
    const rps = result.rounds.map((r) => r.rps);
    const summary: Summary = {
      result,
      rps: median(rps),
      rpsMin: min(rps),
      rpsMax: max(rps),
      p50: median(result.rounds.map((r) => r.p50)),
      p99: median(result.rounds.map((r) => r.p99)),
      cpuUs: median(result.rounds.map((r) => r.cpuUsPerRequest)),
      serverCpu: median(result.rounds.map((r) => r.serverCpuPct)),
      foreign: median(result.rounds.map((r) => r.foreignPct)),
      errors: result.rounds.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
    };
    if (result.brackets) {
      const brackets = result.brackets;
      summary.normalized = result.rounds.map((r, i) => r.rps / meanOf(brackets[i]!, (b) => b.rps));
      summary.cpuNormalized = result.rounds.map((r, i) => meanOf(brackets[i]!, (b) => b.cpuUsPerRequest) / r.cpuUsPerRequest);
      summary.bracketRps = median(brackets.map((b) => meanOf(b, (x) => x.rps)));
      summary.ratio = median(summary.normalized);
      summary.cpuRatio = median(summary.cpuNormalized);
    }
    summaries.set(result.id, summary);
  }
  return summaries;
}

const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const dec = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : n === Number.POSITIVE_INFINITY ? '∞ (no response)' : 'n/a');
const ratio = (n: number | undefined, digits = 2) =>
  n !== undefined && Number.isFinite(n) ? `${n.toFixed(digits)}×` : n === Number.POSITIVE_INFINITY ? '∞' : '—';
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

export interface TargetLine {
  name: string;
  measured: string;
  detail: string;
  holds: boolean | undefined;
  /** The numbers behind `measured` when it is one ratio judged against a limit (what the charts draw). */
  figure?: TargetFigure;
}

/** A ratio target's numbers: the median over rounds that `holds` judges, the per-round values and the limit. */
export interface TargetFigure {
  /** Id of the scenario measured (a `ScenarioResult`, `SimultaneousResult` or `StormResult` id). */
  scenario: string;
  /** Id of the scenario it is divided by; absent when it is divided by its own unguarded route. */
  against?: string;
  /** Median over rounds: the measured value. */
  value: number;
  /** One value per round: their range is the spread. */
  rounds: number[];
  /** The target's floor (`atLeast`) or ceiling (`atMost`), in the value's unit (×). */
  limit: number;
  direction: 'atLeast' | 'atMost';
}

const NOT_MEASURED = 'not measured';
const notMeasured = (name: string): TargetLine => ({ name, measured: NOT_MEASURED, detail: '', holds: undefined });

/** The storm target: the guarded route's p99 during the storm over its idle p99, medians over rounds. */
function stormTarget(name: string, row: StormResult | undefined, limit: number): TargetLine {
  if (!row) return notMeasured(name);
  const idleP99 = median(row.idle.map((r) => r.p99));
  const stormP99 = median(row.storm.map((r) => r.p99));
  const paired = row.storm.map((r, i) => r.p99 / (row.idle[i]?.p99 ?? Number.NaN)).filter(Number.isFinite);
  return {
    name,
    measured: ratio(stormP99 / idleP99),
    detail: `p99 ${dec(idleP99)} ms idle → ${dec(stormP99)} ms during ${int(median(row.loginsPerSecond))} logins/s; rounds ${ratio(min(paired))}–${ratio(max(paired))}`,
    holds: stormP99 / idleP99 <= limit,
    figure: { scenario: row.id, value: stormP99 / idleP99, rounds: paired, limit, direction: 'atMost' },
  };
}

/** Latencies of the cross-instance revocation, sorted, with every missed logout as +∞ (so misses count against p99). */
function revocationLatencies(revocation: RevocationLatencyResult): number[] {
  return [...revocation.latenciesMs, ...Array<number>(revocation.missed).fill(Number.POSITIVE_INFINITY)].sort((a, b) => a - b);
}

function revocationTarget(name: string, revocation: RevocationLatencyResult | undefined, maximumP99Ms: number): TargetLine {
  if (!revocation) return notMeasured(name);
  const sorted = revocationLatencies(revocation);
  const p99 = quantileSorted(sorted, 0.99);
  return {
    name,
    measured: `p50 ${dec(quantileSorted(sorted, 0.5))} ms, p99 ${dec(p99)} ms`,
    detail:
      `${sorted.length} logouts, max ${dec(quantileSorted(sorted, 1))} ms${revocation.missed ? `, ${revocation.missed} not enforced within ${revocation.timeoutMs} ms` : ''}; ` +
      `resolution: a guarded GET on B after the logout, median ${dec(median(revocation.pollRoundTripMs))} ms; revocationCheckCacheSeconds ${revocation.cacheSeconds}`,
    holds: p99 <= maximumP99Ms,
  };
}

/**
 * `a` against `b`, round by round, each normalised by its own process's bracket: for b = the unguarded route of a's
 * process that is a's normalised req/s; for two guarded routes it is the ratio of their normalised req/s, which
 * cancels the drift between the two measurements.
 */
function pairedRatios(sa: Summary, sb: Summary, pick: 'normalized' | 'cpuNormalized'): number[] {
  const a = sa[pick];
  if (!a) return [];
  const b = sb[pick];
  if (!b) return a; // b is a baseline row: its normalised value is 1 in every round.
  return a.map((value, i) => value / (b[i] ?? Number.NaN)).filter(Number.isFinite);
}

function ratioTarget(summaries: Map<string, Summary>, name: string, a: string, b: string, minimum: number, noiseFloor?: string): TargetLine {
  const sa = summaries.get(a);
  const sb = summaries.get(b);
  if (!sa || !sb) return notMeasured(name);
  const paired = pairedRatios(sa, sb, 'normalized');
  const value = median(paired);
  const cpu = median(pairedRatios(sa, sb, 'cpuNormalized'));
  const floor = noiseFloor ? summaries.get(noiseFloor) : undefined;
  const everyRound = paired.length > 0 && paired.every((p) => p >= minimum);
  return {
    name,
    measured: ratio(value),
    detail:
      `${paired.length} rounds ${ratio(min(paired))}–${ratio(max(paired))}${everyRound ? ' (holds in every round)' : ''}; ` +
      `by server CPU per request ${ratio(cpu)}` +
      (floor ? `; a guard that returns true measured ${ratio(median(pairedRatios(floor, sb, 'normalized')))} (Nest's guard machinery)` : ''),
    holds: value >= minimum,
    figure: { scenario: a, against: sb.normalized ? b : undefined, value, rounds: paired, limit: minimum, direction: 'atLeast' },
  };
}

/** Per-round capacity ratios of a simultaneous scenario, or of scenario `a` over scenario `b` of the same pair. */
function simultaneousRatios(report: BenchReport, a: string, b?: string): number[] | undefined {
  const find = (id: string) => report.simultaneous?.find((r) => r.id === id);
  const ra = find(a);
  if (!ra) return undefined;
  const ratiosA = ra.rounds.map(simultaneousRoundRatio);
  if (b === undefined) return ratiosA;
  const rb = find(b);
  if (!rb) return undefined;
  const ratiosB = rb.rounds.map(simultaneousRoundRatio);
  return ratiosA.map((value, i) => value / (ratiosB[i] ?? Number.NaN)).filter(Number.isFinite);
}

/**
 * A guard target judged on the simultaneous measurement when it was made; the one-after-the-other (bracketed) req/s
 * ratio is kept in the details. Without a simultaneous measurement, the bracketed line as it is.
 */
function guardTarget(
  report: BenchReport,
  bracketed: TargetLine,
  a: string,
  b: string | undefined,
  minimum: number,
  controls: { aa?: string; noOp?: string; /** socket.io: authenticated handshake, no guard on the handler. */ handshakeOnly?: string },
): TargetLine {
  const paired = simultaneousRatios(report, a, b);
  if (!paired?.length) return bracketed;
  const value = median(paired);
  const everyRound = paired.every((p) => p >= minimum);
  const control = (id: string | undefined, label: string) => {
    const ratios = id ? simultaneousRatios(report, id) : undefined;
    return ratios?.length ? `; ${label} ${ratio(median(ratios))} (${ratio(min(ratios))}–${ratio(max(ratios))})` : '';
  };
  return {
    name: bracketed.name,
    measured: ratio(value),
    detail:
      `simultaneous, ${paired.length} rounds ${ratio(min(paired))}–${ratio(max(paired))}${everyRound ? ' (holds in every round)' : ''}` +
      control(controls.aa, 'A/A control') +
      control(controls.noOp, 'a guard that returns true') +
      control(controls.handshakeOnly, 'authenticated handshake without a guard on the handler') +
      (bracketed.measured === NOT_MEASURED ? '' : `; one after the other (bracketed req/s): ${bracketed.measured}`),
    holds: value >= minimum,
    figure: { scenario: a, against: b, value, rounds: paired, limit: minimum, direction: 'atLeast' },
  };
}

/** The uncached HS256 verification (micro-benchmark) against the floor measured beside it. */
function uncachedVerificationTarget(micro: MicroRow[] | undefined): TargetLine {
  const name = 'Micro: uncached HS256 verification ≤ 1.25× HMAC + payload decode';
  const row = (operation: string) => micro?.find((r) => r.group === 'DualTokenService HS256' && r.operation === operation);
  const verification = row(UNCACHED_VERIFICATION_OPERATION);
  const floor = row(VERIFICATION_FLOOR_OPERATION);
  if (!verification || !floor) return notMeasured(name);
  const value = verification.nsPerOp / floor.nsPerOp;
  return {
    name,
    measured: ratio(value),
    detail: `${dec(verification.nsPerOp / 1000)} µs (± ${dec(verification.madNs / 1000)}) against ${dec(floor.nsPerOp / 1000)} µs (± ${dec(floor.madNs / 1000)}), medians of tinybench samples`,
    holds: value <= 1.25,
  };
}

/**
 * Every target of the report, judged. The Targets table and the charts (charts.ts) both read this list, so a chart
 * shows the same medians, round ranges and limits as the table.
 */
export function reportTargets(report: BenchReport): TargetLine[] {
  const s = report.settings;
  const summaries = summarize(report.scenarios);
  const targets: TargetLine[] = [
    guardTarget(report, ratioTarget(summaries, 'Express: our guard ≥ 0.93× unguarded', 'express-ours', 'express-open', 0.93, 'express-allow-all'),
      'sim-express-ours', undefined, 0.93, { aa: 'sim-express-open', noOp: 'sim-express-allow-all' }),
    guardTarget(report, ratioTarget(summaries, 'Fastify: our guard ≥ 0.70× unguarded', 'fastify-ours', 'fastify-open', 0.7, 'fastify-allow-all'),
      'sim-fastify-ours', undefined, 0.7, { aa: 'sim-fastify-open', noOp: 'sim-fastify-allow-all' }),
    guardTarget(report, ratioTarget(summaries, 'Express: our guard ≥ 4× passport-jwt', 'express-ours', 'express-passport', 4),
      'sim-express-ours', 'sim-express-passport', 4, {}),
    guardTarget(report, ratioTarget(summaries, 'Fastify: our guard ≥ 15× tutorial guard', 'fastify-ours', 'fastify-tutorial', 15),
      'sim-fastify-ours', 'sim-fastify-tutorial', 15, {}),
    guardTarget(report, ratioTarget(summaries, 'Express: session check on ≥ 0.85× unguarded', 'express-ours-session', 'express-open', 0.85, 'express-allow-all'),
      'sim-express-ours-session', undefined, 0.85, {}),
    ratioTarget(summaries, 'MySQL: refresh with rotation ≥ 0.5× one-read route', 'mysql-refresh', 'mysql-read', 0.5),
    ratioTarget(summaries, 'Redis: refresh with rotation ≥ 0.8× one-GET route', 'redis-refresh', 'redis-read', 0.8),
    ratioTarget(summaries, 'Redis: refresh with rotation ≥ 0.8× the same refresh on the in-memory store', 'redis-refresh', 'redis-memory-refresh', 0.8),
    ratioTarget(
      summaries,
      'Redis (appendfsync everysec): refresh with rotation ≥ 0.8× the same refresh on the in-memory store',
      'redis-everysec-refresh',
      'redis-everysec-memory-refresh',
      0.8,
    ),
    guardTarget(report, notMeasured('Redis: session check on Redis-backed sessions ≥ 0.93× unguarded (Express)'),
      'sim-express-ours-session-redis', undefined, 0.93, {}),
    guardTarget(report, notMeasured('GraphQL (Apollo/Express): guarded query ≥ 0.95× unguarded'),
      'sim-apollo-guarded', undefined, 0.95, { aa: 'sim-apollo-open' }),
    guardTarget(report, notMeasured('GraphQL (Mercurius/Fastify): guarded query ≥ 0.95× unguarded'),
      'sim-mercurius-guarded', undefined, 0.95, { aa: 'sim-mercurius-open', noOp: 'sim-mercurius-allow-all' }),
    guardTarget(report, notMeasured('socket.io: authenticated round trip ≥ 0.95× unauthenticated'),
      'sim-socketio-auth', undefined, 0.95, { aa: 'sim-socketio-open', noOp: 'sim-socketio-allow-all', handshakeOnly: 'sim-socketio-handshake-only' }),
    revocationTarget('Redis: logout on instance A refused by instance B, p99 ≤ 50 ms', report.revocation, 50),
    stormTarget('Login storm: guarded p99 ≤ 1.2× idle p99', report.storm?.find((r) => r.id === 'storm-async'), 1.2),
    stormTarget('Redis: login storm over two instances sharing limits, guarded p99 ≤ 2× idle p99', report.storm?.find((r) => r.id === 'storm-redis-two-instances'), 2),
    loginThroughputTarget(report.login),
    uncachedVerificationTarget(report.micro),
    manyUsersCeilingTarget(report, 'fastify', 0.92),
    guardTarget(report, notMeasured('Many users (Fastify, Zipf): our guard ≥ 0.85× unguarded'), 'sim-fastify-many-zipf', undefined, 0.85, {}),
    guardTarget(report, notMeasured('Many users (Express, uniform): our guard ≥ 0.93× unguarded'), 'sim-express-many-uniform', undefined, 0.93, {}),
    ...(['express', 'fastify'] as const).flatMap((adapter) => {
      const name = adapter === 'express' ? 'Express' : 'Fastify';
      return [
        guardTarget(report, notMeasured(`${name}: our guard ≥ 0.97× the hand-written fast-jwt guard, one token per connection (both cached)`),
          `sim-${adapter}-ours`, `sim-${adapter}-handwritten`, 0.97, {}),
        guardTarget(report, notMeasured(`${name}: our guard ≥ 0.97× the hand-written fast-jwt guard, many users (both uncached)`),
          `sim-${adapter}-many-uniform`, `sim-${adapter}-many-handwritten`, 0.97, {}),
      ];
    }),
  ];
  if (report.memory && report.memory.checkpoints.length >= 3) {
    const checkpoints = report.memory.checkpoints;
    const first = checkpoints[1]!;
    const last = checkpoints[checkpoints.length - 1]!;
    const growth = (last.rss - first.rss) / first.rss;
    const settledGrowth = (last.rssAfterGc - first.rssAfterGc) / first.rssAfterGc;
    const pct = (g: number) => `${g >= 0 ? '+' : ''}${(g * 100).toFixed(1)}%`;
    targets.push({
      name: `Memory: RSS after ${int(last.requests)} guarded requests within 10% of RSS after ${int(first.requests)}`,
      measured: pct(growth),
      detail:
        `RSS ${mib(first.rss)} → ${mib(last.rss)}; live heap (after a full GC) ${mib(first.heapUsedAfterGc)} → ${mib(last.heapUsedAfterGc)}; ` +
        `RSS right after that GC ${mib(first.rssAfterGc)} → ${mib(last.rssAfterGc)} (${pct(settledGrowth)})` +
        `${s.profile === 'quick' ? ' (quick profile: fewer requests, indicative only)' : ''}`,
      holds: growth <= 0.1,
    });
  } else {
    targets.push({ name: 'Memory: RSS growth ≤ 10%', measured: 'not measured', detail: '', holds: undefined });
  }
  return targets;
}

export function renderReport(report: BenchReport): string {
  const s = report.settings;
  const m = report.machine;
  const summaries = summarize(report.scenarios);
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);

  push(
    `# nestjs-dual-token-auth benchmark (${s.profile})`,
    '',
    `Generated by \`npm run bench${s.profile === 'quick' ? ':quick' : ''}\` on ${m.date}.`,
    '',
    '| machine | |',
    '|---|---|',
    `| CPU | ${m.cpuModel}, ${m.cores} cores |`,
    `| memory | ${m.memoryGiB} GiB |`,
    `| Node.js | ${m.node} |`,
    `| OS | ${m.os} |`,
    `| load average at start / end | ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')} / ${(report.loadAverageEnd ?? []).map((l) => l.toFixed(2)).join(' ')} |`,
    `| busy CPU time during the run | CPU 0 (load generator) ${dec(report.coreBusyPct?.[0] ?? Number.NaN, 0)}%, CPU 1 (servers) ${dec(report.coreBusyPct?.[1] ?? Number.NaN, 0)}% |`,
    `| settings | ${s.rounds} rounds × ${s.duration} s per scenario, each bracketed by its own process's unguarded route` +
      `${report.simultaneous?.length ? `; simultaneous pairs: ${s.rounds} rounds × 2 windows × ${s.pairDuration ?? s.duration} s` : ''}; ` +
      `${s.warmup} s warm-up per route; ${s.connections} connections, autocannon |`,
    `| pinning | each server a child process under \`taskset -c 1\`; runner + autocannon under \`taskset -c 0\` |`,
    `| total time | ${dec((report.totalSeconds ?? Number.NaN) / 60, 1)} min |`,
    '',
  );
  for (const note of report.environmentNotes) push(`> **Note:** ${note}`, '');

  // ---- targets
  const targets = reportTargets(report);
  push('## Targets', '', '| target | measured | | details |', '|---|---|---|---|');
  for (const t of targets) push(`| ${t.name} | ${t.measured} | ${t.holds === undefined ? '—' : t.holds ? '✅ holds' : '❌ misses'} | ${t.detail} |`);
  push('');
  if (report.simultaneous?.length) {
    push(
      'The guard targets are judged on the simultaneous measurement (see "Capacity ratios, measured simultaneously"): ' +
        'on this shared VM a core\'s speed moves by 10–30% within seconds, which swamps a few-percent difference between ' +
        'routes measured one after the other; two processes loaded at the same moment on the same core see the same ' +
        'slowdowns. The A/A control is the unguarded route on both sides, i.e. what is left of the noise. The details ' +
        'also give the one-after-the-other ratio, described next.',
      '',
    );
  }
  push(
    'One after the other (bracketed): each ratio is the median over rounds of a per-round ratio. In a round, every ' +
      'route is measured between two measurements of the unguarded route of the same server process (before and after ' +
      'it), and its req/s is divided by their mean; a ratio between two guarded routes divides those normalised values. ' +
      'That keeps slow drift of the machine and differences between processes out of a ratio, but not changes of speed ' +
      'within seconds, hence the spread of the per-round ratios. "Rounds" gives the range of the ' +
      'per-round ratios; "by server CPU per request" the same ratio computed from server CPU time per request, which is the ' +
      'capacity ratio when the server (not the load generator) is the bottleneck.',
    '',
  );
  if (report.skipped.length) {
    push('**Not measured:**', '');
    for (const skip of report.skipped) push(`- ${skip}`);
    push('');
  }

  // ---- throughput table
  if (report.scenarios.length) {
    push(
      '## Throughput',
      '',
      '| scenario | req/s (median) | spread (min–max) | p50 ms | p99 ms | its brackets, req/s | vs unguarded | per-round ratios | server CPU µs/req | server CPU | other load on CPU 1 |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const summary of summaries.values()) {
      const r = summary;
      push(
        `| ${r.result.label}${r.errors ? ` (${int(r.errors)} errors)` : ''} | ${int(r.rps)} | ${int(r.rpsMin)}–${int(r.rpsMax)} | ${dec(r.p50)} | ${dec(r.p99)} | ` +
          `${r.bracketRps === undefined ? '' : int(r.bracketRps)} | ${r.ratio === undefined ? '1.00× (baseline)' : ratio(r.ratio)} | ` +
          `${r.normalized ? `${ratio(min(r.normalized))}–${ratio(max(r.normalized))}` : ''} | ` +
          `${dec(r.cpuUs, 1)} | ${dec(r.serverCpu, 0)}% | ${dec(r.foreign, 0)}% |`,
      );
    }
    push('');
    const notes = [...summaries.values()].filter((r) => r.result.note).map((r) => `- *${r.result.label}*: ${r.result.note}`);
    if (notes.length) push(...notes, '');
    const unsaturated = [...summaries.values()].filter((r) => r.result.group !== 'mysql' && r.serverCpu < 90);
    if (unsaturated.length) {
      push(
        `- Servers below 90% CPU during their rounds (the single-core load generator, not the server, set the pace, so ` +
          `req/s ratios understate the difference; see CPU µs/req): ${unsaturated.map((r) => `${r.result.id} ${dec(r.serverCpu, 0)}%`).join(', ')}.`,
        '',
      );
    }
    if (report.database) push(`- Database: \`${report.database.image}\`, ${report.database.placement}.`, '');
    if (report.redis) push(`- Redis: ${report.redis.image}, ${report.redis.placement}.`, '');
    if (report.redisEverysec) {
      push(`- Redis of the *appendfsync everysec* rows: ${report.redisEverysec.image}, ${report.redisEverysec.placement}.`, '');
    }
    push(
      '- *vs unguarded*: median over rounds of this route\'s req/s divided by the mean of its two brackets (the unguarded ' +
        'route of the same process, for MySQL the one-read route, for Redis the one-GET route, measured right before and after). The scenarios of one ' +
        'adapter share a server process except the session check, which needs other module options and brings its own ' +
        'unguarded route; every process has the same route table. The unguarded rows list every bracket measurement. ' +
        'Latencies are measured by the load generator for every 2xx response.',
      '',
    );
  }

  // ---- simultaneous pairs
  if (report.simultaneous?.length) {
    push(
      '## Capacity ratios, measured simultaneously',
      '',
      'Two identical server processes share CPU 1 and are loaded at the same time, ' +
        `${Math.floor(s.connections / 2)} connections each: one on the unguarded route, the other on the route under test, ` +
        `${s.pairDuration ?? s.duration} s; then the same with the processes' roles (and which load starts first) swapped. A round's ratio is the unguarded route's server ` +
        'CPU per request over the route\'s, geometric mean of the two windows; the table gives the median over rounds. ' +
        'This is the route\'s capacity (req/s at full CPU) relative to the unguarded route.',
      '',
      '| scenario | capacity vs unguarded | rounds | route CPU µs/req | unguarded CPU µs/req (same windows) | route req/s | unguarded req/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const result of report.simultaneous) {
      const ratios = result.rounds.map(simultaneousRoundRatio);
      const windows = result.rounds.flat();
      push(
        `| ${result.label} | ${ratio(median(ratios), 3)} | ${ratio(min(ratios), 3)}–${ratio(max(ratios), 3)} | ` +
          `${dec(median(windows.map((w) => w.route.cpuUsPerRequest)), 1)} | ${dec(median(windows.map((w) => w.baseline.cpuUsPerRequest)), 1)} | ` +
          `${int(median(windows.map((w) => w.route.rps)))} | ${int(median(windows.map((w) => w.baseline.rps)))} |`,
      );
    }
    push('');
    const notes = report.simultaneous.filter((r) => r.note).map((r) => `- *${r.label}*: ${r.note}`);
    if (notes.length) push(...notes, '');
  }
  push(...renderManyUsersSection(report));

  // ---- cross-instance revocation
  if (report.revocation) {
    const sorted = revocationLatencies(report.revocation);
    const at = (q: number) => dec(quantileSorted(sorted, q));
    push(
      '## Revocation across instances (Redis)',
      '',
      'Two server processes (both on CPU 1) share one Redis: sessions in `RedisSessionStore`, revocations pushed by ' +
        `\`RedisSessionRevocationBus\`, session check on with revocationCheckCacheSeconds ${report.revocation.cacheSeconds}, so polling cannot ` +
        'be what refuses the token. Per sample: log in on A; B serves the access token once (its cache now says "active"); ' +
        'log out on A; then B\'s guarded route is requested back to back until it answers 401. A sample is the time from ' +
        'A\'s logout answer to that 401; the servers are otherwise idle.',
      '',
      '| logouts | p50 ms | p90 ms | p99 ms | max ms | not enforced within ' + `${report.revocation.timeoutMs} ms | a guarded GET on B after the logout, median ms |`,
      '|---:|---:|---:|---:|---:|---:|---:|',
      `| ${sorted.length} | ${at(0.5)} | ${at(0.9)} | ${at(0.99)} | ${at(1)} | ${report.revocation.missed} | ${dec(median(report.revocation.pollRoundTripMs))} |`,
      '',
    );
  }

  // ---- storm
  if (report.storm?.length) {
    push(
      '## Guarded route during a login storm',
      '',
      `${s.connections} connections on the guarded route while ${s.stormConnections} connections log in continuously ` +
        '(argon2id, 19 MiB, t=2, like sample-app); each round measures idle and storm back to back.',
      '',
      '| hashing | idle req/s | idle p50 / p99 ms | storm req/s | storm p50 / p99 ms | p99 storm ÷ idle | logins/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const row of report.storm) {
      const idleP99 = median(row.idle.map((r) => r.p99));
      const stormP99 = median(row.storm.map((r) => (r.ok > 0 ? r.p99 : Number.POSITIVE_INFINITY)));
      push(
        `| ${row.label}${row.target ? ' **(target)**' : ''} | ${int(median(row.idle.map((r) => r.rps)))} | ${dec(median(row.idle.map((r) => r.p50)))} / ${dec(idleP99)} | ` +
          `${int(median(row.storm.map((r) => r.rps)))} | ${dec(median(row.storm.map((r) => r.p50)))} / ${dec(stormP99)} | ${ratio(stormP99 / idleP99)} | ` +
          `${int(median(row.loginsPerSecond))}${row.loginErrors ? ` (${row.loginErrors} failed)` : ''} |`,
      );
    }
    push('');
    for (const row of report.storm) push(`- *${row.label}*: ${row.note}.`);
    push('');
  }
  if (report.login) push(...renderLoginSection(report.login));

  // ---- memory
  if (report.memory) {
    const mem = report.memory;
    push(
      '## Memory',
      '',
      `Express, our guard with the session check, ${int(mem.totalRequests)} requests in ${dec(mem.seconds, 0)} s, each carrying the next of ` +
        `${int(mem.tokens)} access tokens of distinct sessions (verifier cache 1,000 entries and session-activity cache churn)` +
        `${mem.rejected ? `, ${int(mem.rejected)} rejected` : ''}.`,
      '',
      '| requests | RSS as found | heap used as found | RSS after full GC | heap used after full GC | V8 new / old space committed |',
      '|---:|---:|---:|---:|---:|---:|',
      ...mem.checkpoints.map(
        (c) =>
          `| ${int(c.requests)} | ${mib(c.rss)} | ${mib(c.heapUsed)} | ${mib(c.rssAfterGc)} | ${mib(c.heapUsedAfterGc)} | ` +
          `${c.spaces ? `${mib(c.spaces.new_space ?? Number.NaN)} / ${mib(c.spaces.old_space ?? Number.NaN)}` : ''} |`,
      ),
      '',
      'The target compares RSS as found, what a process monitor shows. Growth from caches would show as a growing live ' +
        'heap (heap used after a full GC). RSS right after a forced GC is listed too but is not steadier: whether V8 hands ' +
        'freed pages back to the OS at that moment varies, and V8 sizes its young and old generations to the allocation ' +
        'rate (the committed new/old space column), which moves RSS without any data being kept.',
      '',
    );
  }

  if (report.clientSize) push(...renderClientSizeSection(report.clientSize));

  // ---- micro
  if (report.micro?.length) {
    push(
      '## Sign and verify (micro-benchmark, one core)',
      '',
      '| library | operation | µs/op (median) | ± (MAD) | ops/s | samples |',
      '|---|---|---:|---:|---:|---:|',
      ...report.micro.map(
        (r) => `| ${r.group} | ${r.operation} | ${dec(r.nsPerOp / 1000, 2)} | ${dec(r.madNs / 1000, 2)} | ${int(1e9 / r.nsPerOp)} | ${int(r.samples)} |`,
      ),
      '',
      `Measured with tinybench, ${s.microMs} ms per operation after a warm-up; a sample is the mean of a batch of calls ` +
        '(a batch of fresh requests for the Express-shaped rows), so the timer is not what gets measured. µs/op is the ' +
        'median sample, ± its median absolute deviation.',
      '',
      'DualTokenService verifies through fast-jwt with the key prepared once and the algorithm pinned; access-token ' +
        'verifications are cached (1,000 tokens). jsonwebtoken (under @nestjs/jwt and passport-jwt) parses a string key on every call.',
      '',
      'The rows "on Express-shaped requests" use requests built the way Express 5 builds them (an IncomingMessage whose ' +
        'prototype is swapped with Object.setPrototypeOf, which leaves every request with a hidden class of its own), each ' +
        'request once. Every property a guard reads or adds then misses V8\'s inline caches, so inside Express that, not ' +
        'the token check, is most of what a guard costs. The module therefore gives every Express request its `user` ' +
        'property before Express swaps the prototype (`reserveRequestUserProperty`, on by default), where adding it hits ' +
        'a hidden class shared by all fresh requests; the last two rows compare the two places for that one write.',
      '',
    );
  }

  // ---- noise
  push(
    '## Noise',
    '',
    'The machine is shared with other engineers\' test runs, so absolute numbers drift between runs; compare ratios ' +
      'taken within one run. The "other load on CPU 1" column is the busy time of the servers\' core not spent by the ' +
      'server under test (other processes); rounds with a high value are noisy.',
    '',
    `- Busiest processes at start: ${report.busyAtStart.map((p) => `\`${p}\``).join(', ') || 'n/a'}`,
    `- Busiest processes at end: ${(report.busyAtEnd ?? []).map((p) => `\`${p}\``).join(', ') || 'n/a'}`,
    '',
  );
  return lines.join('\n');
}
