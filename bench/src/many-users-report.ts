// The many-users scenario in the report: its ceiling target and its section (floors, ceiling, cache sizes, memory).
import { VERIFIED_TOKEN_CACHE_ENTRIES } from './many-users.js';
import type { BenchReport, SimultaneousWindow, TargetLine } from './report.js';
import { median } from './stats.js';

const times = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : '—');
const micros = (ns: number) => `${(ns / 1000).toFixed(2)} µs`;

/** The verification floor of a pair, in µs: the mean of what its two servers measured on their core. */
function pairFloorUs(report: BenchReport, pairName: string): number | undefined {
  const floors = report.manyUsers?.servers.find((s) => s.pair === pairName)?.floorNs.filter(Number.isFinite);
  return floors?.length ? floors.reduce((sum, ns) => sum + ns, 0) / floors.length / 1000 : undefined;
}

/**
 * Per round: the route's capacity against the HS256 ceiling, (U + F) / O, where U is the unguarded route's server CPU
 * per request, O the route's, and F the verification floor; so 1.0 means the guard costs exactly one HMAC plus
 * payload decode over the unguarded route. The ceiling itself is U / (U + F). Geometric mean of the two windows.
 */
function roundsAgainstCeiling(report: BenchReport, scenario: string, floorUs: number): { againstCeiling: number[]; ceiling: number[] } {
  const rounds = report.simultaneous?.find((r) => r.id === scenario)?.rounds ?? [];
  const geometric = (round: [SimultaneousWindow, SimultaneousWindow], f: (w: SimultaneousWindow) => number) => Math.sqrt(f(round[0]) * f(round[1]));
  return {
    againstCeiling: rounds.map((round) => geometric(round, (w) => (w.baseline.cpuUsPerRequest + floorUs) / w.route.cpuUsPerRequest)),
    ceiling: rounds.map((round) => geometric(round, (w) => w.baseline.cpuUsPerRequest / (w.baseline.cpuUsPerRequest + floorUs))),
  };
}

/** "Our guard ≥ `minimum` of the HS256 ceiling" for one adapter's uniform many-users traffic. */
export function manyUsersCeilingTarget(report: BenchReport, adapter: 'express' | 'fastify', minimum: number): TargetLine {
  const name = `Many users (${adapter === 'express' ? 'Express' : 'Fastify'}, uniform): our guard ≥ ${minimum.toFixed(2)} of the HS256 ceiling`;
  const floorUs = pairFloorUs(report, `${adapter}-many-users`);
  const scenario = `sim-${adapter}-many-uniform`;
  if (floorUs === undefined) return { name, measured: 'not measured', detail: '', holds: undefined };
  const { againstCeiling, ceiling } = roundsAgainstCeiling(report, scenario, floorUs);
  if (!againstCeiling.length) return { name, measured: 'not measured', detail: '', holds: undefined };
  const value = median(againstCeiling);
  return {
    name,
    measured: times(value),
    detail:
      `${againstCeiling.length} rounds ${times(Math.min(...againstCeiling))}–${times(Math.max(...againstCeiling))}; ` +
      `ceiling (unguarded CPU ÷ (unguarded CPU + floor)) ${times(median(ceiling))} with a floor of ${floorUs.toFixed(2)} µs measured on the servers' core`,
    holds: value >= minimum,
    figure: { scenario, value, rounds: againstCeiling, limit: minimum, direction: 'atLeast' },
  };
}

/** The report's "Many users" section: what was set up, the floors and ceilings, and the memory at the end. */
export function renderManyUsersSection(report: BenchReport): string[] {
  const many = report.manyUsers;
  if (!many?.servers.length) return [];
  const lines = [
    '## Many users',
    '',
    `${many.sessions.toLocaleString('en-US')} sessions (one user each), ${many.tokens.toLocaleString('en-US')} distinct valid access tokens ` +
      `(${Math.round(many.tokens / many.sessions)} per session). Every request carries the next token of a seeded sequence over all of them: ` +
      `uniform, or Zipf-skewed (s = ${many.zipfExponent}: the ${VERIFIED_TOKEN_CACHE_ENTRIES.toLocaleString('en-US')} most frequent tokens carry ` +
      `${(many.zipfTopThousandShare * 100).toFixed(0)}% of the requests). The unguarded route of each pair receives the same uniform traffic. ` +
      `The library's verified-token cache holds ${VERIFIED_TOKEN_CACHE_ENTRIES.toLocaleString('en-US')} tokens, so uniform traffic almost never hits it. ` +
      'The rows are in "Capacity ratios, measured simultaneously"; the ceiling is what a guard costing exactly one HMAC-SHA256 ' +
      'plus payload decode (the floor, measured by each server on its own core at startup) would reach.',
    '',
    '| pair | session check | floor per server | ceiling (median) | our guard, uniform, against the ceiling | RSS after the rounds |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const server of many.servers) {
    const floorUs = pairFloorUs(report, server.pair)!;
    const { againstCeiling, ceiling } = roundsAgainstCeiling(report, `sim-${server.adapter}-many${server.sessionCheck ? '-session' : ''}-uniform`, floorUs);
    lines.push(
      `| ${server.pair} | ${server.sessionCheck ? 'on' : 'off'} | ${server.floorNs.map(micros).join(', ')} | ${times(median(ceiling))} | ` +
        `${times(median(againstCeiling))} | ${server.rssBytes.map((b) => `${(b / 2 ** 20).toFixed(0)} MiB`).join(', ')} |`,
    );
  }
  lines.push('');
  return lines;
}
