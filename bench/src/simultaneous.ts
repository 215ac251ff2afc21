// Capacity ratios measured simultaneously: two identical server processes share CPU 1 and are loaded at the same
// time, one on the unguarded route and one on the route under test, then with the roles swapped. See bench/README.md.
import { bearer, runLoad, startServer, type BenchServer, type LoadResult } from './load.js';
import { simultaneousRoundRatio, type SimultaneousResult, type SimultaneousWindow } from './report.js';
import type { Settings } from './settings.js';
import type { ServerConfig } from './shared.js';

/** A route compared with the unguarded route `/open` of the same pair of processes. */
export interface SimultaneousScenario {
  id: string;
  label: string;
  path: string;
  /** Which token pool the route accepts: ours, or the tutorial's (`@nestjs/jwt` and passport-jwt). */
  tokens: 'ours' | 'tutorial';
  note?: string;
}

/** Two processes with the same configuration and the scenarios measured on them. */
export interface SimultaneousPair {
  name: string;
  group: SimultaneousResult['group'];
  config: ServerConfig;
  scenarios: SimultaneousScenario[];
}

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
    const load = (server: BenchServer, path: string, tokens: 'ours' | 'tutorial', duration: number): Promise<LoadResult> => {
      const pool = tokens === 'ours' ? server.ready.ours : server.ready.tutorial;
      return runLoad({
        url: server.url,
        path,
        connections,
        duration,
        serverPid: server.pid,
        headersForConnection: (i) => bearer(pool[i % pool.length]!),
      });
    };
    log(`warm-up ${pair.name} pair (${settings.warmup}s per route and process)`);
    for (const server of servers) {
      await load(server, '/open', 'ours', settings.warmup);
      for (const scenario of pair.scenarios) await load(server, scenario.path, scenario.tokens, settings.warmup);
    }
    const rounds = new Map<string, [SimultaneousWindow, SimultaneousWindow][]>(pair.scenarios.map((s) => [s.id, []]));
    for (let round = 0; round < settings.rounds; round += 1) {
      for (const scenario of pair.scenarios) {
        const windows: SimultaneousWindow[] = [];
        for (const [baselineServer, routeServer, baselineFirst] of [[servers[0], servers[1], true], [servers[1], servers[0], false]] as const) {
          // The second window also starts the other load first, so an advantage of opening connections first cancels too.
          const startBaseline = () => load(baselineServer, '/open', 'ours', settings.pairDuration);
          const startRoute = () => load(routeServer, scenario.path, scenario.tokens, settings.pairDuration);
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
    await Promise.all(servers.map((server) => server.stop()));
  }
  return results;
}
