// Capacity ratios measured simultaneously: two identical server processes share CPU 1 and are loaded at the same
// time, one on the unguarded route and one on the route under test, then with the roles swapped. See bench/README.md.
import { bearer, runLoad, startServer, type BenchServer, type LoadResult } from './load.js';
import { simultaneousRoundRatio, type SimultaneousResult, type SimultaneousWindow } from './report.js';
import type { Settings } from './settings.js';
import type { ServerConfig } from './shared.js';
import { tokenSequence, type TokenMix } from './token-sequences.js';

/** What one side of a pair loads: a route with a token pool (and for GraphQL a POST body), or a socket.io namespace. */
export interface PairTarget {
  /** The HTTP path, or for the socket.io driver the namespace (`/open`, `/auth`). */
  path: string;
  /** Which token pool the route accepts: ours, or the tutorial's (`@nestjs/jwt` and passport-jwt). */
  tokens: 'ours' | 'tutorial';
  method?: 'GET' | 'POST';
  /** JSON body of every request (sent with `content-type: application/json`). */
  body?: string;
  /**
   * Each request carries the next token of this mix over the whole pool (the many-users scenario); without it every
   * connection sends one token of the pool all along.
   */
  mix?: TokenMix;
}

/** A route compared with the pair's baseline (the unguarded route `/open` unless the pair names another). */
export interface SimultaneousScenario extends PairTarget {
  id: string;
  label: string;
  note?: string;
  /**
   * Measured in every n-th round only, starting with the first (A/A controls and informational rows of the
   * `transports` section, to keep it short). @default 1
   */
  every?: number;
}

/** How load is put on the pair's servers; the default runs autocannon against `PairTarget.path`. */
export interface PairDriver {
  load(server: BenchServer, target: PairTarget, connections: number, duration: number): Promise<LoadResult>;
  close(): Promise<void>;
}

/** Two processes with the same configuration and the scenarios measured on them. */
export interface SimultaneousPair {
  name: string;
  group: SimultaneousResult['group'];
  config: ServerConfig;
  /** What every scenario is compared with. @default GET /open with our tokens */
  baseline?: PairTarget;
  /** Started once both servers are up, closed before they stop. @default autocannon (HTTP) */
  driver?: (servers: [BenchServer, BenchServer]) => Promise<PairDriver>;
  scenarios: SimultaneousScenario[];
  /** Called after the last round, before the servers stop (e.g. to read their memory). */
  afterRounds?: (servers: [BenchServer, BenchServer]) => Promise<void>;
}

/**
 * autocannon, with a token in `Authorization` (the same header on the baseline and on the route): the connection's
 * own token all along, or with a `mix` the next token of that mix on every request.
 */
export const httpPairDriver: PairDriver = {
  load(server, target, connections, duration) {
    const pool = target.tokens === 'ours' ? server.ready.ours : server.ready.tutorial;
    const cursor = target.mix ? tokenCursor(server, target.mix, pool.length) : undefined;
    return runLoad({
      url: server.url,
      path: target.path,
      method: target.method,
      body: target.body,
      connections,
      duration,
      serverPid: server.pid,
      ...(cursor
        ? { headersPerRequest: () => bearer(pool[cursor.next()]!) }
        : { headersForConnection: (i: number) => bearer(pool[i % pool.length]!) }),
    });
  },
  close: async () => undefined,
};

/** Per server and mix, where in its sequence the next request continues (so windows do not replay the same tokens). */
const cursors = new WeakMap<BenchServer, Map<TokenMix, { next(): number }>>();

function tokenCursor(server: BenchServer, mix: TokenMix, poolSize: number): { next(): number } {
  const byMix = cursors.get(server) ?? new Map<TokenMix, { next(): number }>();
  cursors.set(server, byMix);
  let cursor = byMix.get(mix);
  if (!cursor) {
    const sequence = tokenSequence(mix, poolSize);
    let position = 0;
    cursor = { next: () => sequence[position++ % sequence.length]! };
    byMix.set(mix, cursor);
  }
  return cursor;
}

const OPEN_ROUTE: PairTarget = { path: '/open', tokens: 'ours' };

type Log = (message: string) => void;

/**
 * Why simultaneous: on this shared VM the speed of a core changes by 10–30% within seconds (other tenants), so two
 * routes measured one after the other differ by that much even when they cost the same, and a 2% difference takes
 * hundreds of alternations to see. Two processes loaded at the same time on the same core see the same slowdowns;
 * each process's CPU time per request (from /proc) then compares the routes under identical conditions. Swapping the
 * roles in the second window of a round cancels differences between the two processes. An A/A row (the unguarded
 * route on both sides) shows what is left of the noise.
 */
export async function measureSimultaneousPairs(pairs: SimultaneousPair[], settings: Settings, log: Log, profileDir?: string): Promise<SimultaneousResult[]> {
  const results: SimultaneousResult[] = [];
  const connections = Math.max(1, Math.floor(settings.connections / 2));
  for (const pair of pairs) {
    log(`starting servers ${pair.name}-a and ${pair.name}-b (simultaneous pairs)`);
    const servers: [BenchServer, BenchServer] = [
      await startServer(`${pair.name}-a`, pair.config, { pin: true, cpuProfileDir: profileDir }),
      await startServer(`${pair.name}-b`, pair.config, { pin: true, cpuProfileDir: profileDir }),
    ];
    const driver = pair.driver ? await pair.driver(servers) : httpPairDriver;
    const baselineTarget = pair.baseline ?? OPEN_ROUTE;
    const load = (server: BenchServer, target: PairTarget, duration: number): Promise<LoadResult> => driver.load(server, target, connections, duration);
    log(`warm-up ${pair.name} pair (${settings.warmup}s per route and process)`);
    for (const server of servers) {
      await load(server, baselineTarget, settings.warmup);
      for (const scenario of pair.scenarios) await load(server, scenario, settings.warmup);
    }
    const rounds = new Map<string, [SimultaneousWindow, SimultaneousWindow][]>(pair.scenarios.map((s) => [s.id, []]));
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const scenario of pair.scenarios) {
        if (round % (scenario.every ?? 1) !== 0) continue;
        const windows: SimultaneousWindow[] = [];
        for (const [baselineServer, routeServer, baselineFirst] of [[servers[0], servers[1], true], [servers[1], servers[0], false]] as const) {
          // The second window also starts the other load first, so an advantage of opening connections first cancels too.
          const startBaseline = () => load(baselineServer, baselineTarget, settings.pairDuration);
          const startRoute = () => load(routeServer, scenario, settings.pairDuration);
          const [baseline, route] = baselineFirst
            ? await Promise.all([startBaseline(), startRoute()])
            : await Promise.all([startRoute(), startBaseline()]).then(([r, b]) => [b, r] as const);
          windows.push({ baseline, route });
        }
        const measured: [SimultaneousWindow, SimultaneousWindow] = [windows[0]!, windows[1]!];
        rounds.get(scenario.id)!.push(measured);
        log(
          `round ${round + 1}/${settings.rounds} ${scenario.id}: CPU µs/req ${windows.map((w) => `${w.baseline.cpuUsPerRequest.toFixed(1)} vs ${w.route.cpuUsPerRequest.toFixed(1)}`).join(', ')}; ` +
            `ratio ${simultaneousRoundRatio(measured).toFixed(3)}`,
        );
      }
    }
    for (const scenario of pair.scenarios) {
      results.push({ id: scenario.id, group: pair.group, label: scenario.label, note: scenario.note, rounds: rounds.get(scenario.id)! });
    }
    await pair.afterRounds?.(servers);
    await driver.close();
    await Promise.all(servers.map((server) => server.stop()));
  }
  return results;
}
