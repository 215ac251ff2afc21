// The report's pictures: SVG charts written next to the report (bench/results/latest-*.svg for latest.md). Every
// number comes from the report's own computations (reportTargets, summarize, simultaneousRoundRatio, the stats
// module's median/min/max), so a chart and the tables never disagree. Rows come from the data: a scenario or target
// added to the bench appears in the charts without drawing code of its own.
import { writeFileSync } from 'node:fs';
import type { LoadResult } from './load.js';
import { CHART_COLORS, renderRangeChart, type RangeRow, type RangeSection } from './range-chart.js';
import { reportTargets, simultaneousRoundRatio, summarize, type BenchReport, type StormResult, type TargetLine } from './report.js';
import { max, median, min } from './stats.js';

export interface BenchChart {
  /** File name suffix: `latest.md` gets `latest-<name>.svg`. */
  name: string;
  title: string;
  svg: string;
}

const COLORS = {
  ours: '#2563eb',
  anchor: '#ea8c2c',
  control: '#9ca3af',
  holds: '#16a34a',
  misses: '#dc2626',
  idle: '#64748b',
  storm: '#ea580c',
};

const finite = (values: readonly unknown[]): number[] => values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

/** `0.97×`; three digits below 0.1× so the tutorial guard's 0.079× does not read as 0.08×. */
function times(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return `${n.toFixed(Math.abs(n) < 0.1 ? 3 : 2)}×`;
}

/** A target's floor or limit as its name writes it: `15×`, `0.70×`. */
const limitTimes = (n: number) => (Number.isInteger(n) ? `${n}×` : `${n.toFixed(2)}×`);

function ms(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return `${n.toFixed(n >= 100 ? 0 : n >= 10 ? 1 : 2)} ms`;
}

function spread(values: number[], format: (n: number) => string): string {
  return values.length > 1 && min(values) !== max(values) ? ` · rounds ${format(min(values)).replace(/[×]| ms$/, '')}–${format(max(values))}` : '';
}

const machineLine = (report: BenchReport) =>
  `${report.machine.date.slice(0, 10)}, ${report.machine.cpuModel} (${report.machine.cores} cores), Node ${report.machine.node}, ${report.settings.profile} profile`;

/**
 * What a guard row is, from its label: our library's guard, a guard it is compared with (passport-jwt, the tutorial
 * guard, a hand-written one), or a control (A/A, the guard that returns `true`).
 */
function guardKind(label: string): 'ours' | 'anchor' | 'control' {
  if (/A\/A control|returns true/.test(label)) return 'control';
  if (/AccessTokenGuard/.test(label)) return 'ours';
  return 'anchor';
}

/** "Express · AccessTokenGuard" under the heading "Express": "AccessTokenGuard". */
const withoutGroup = (label: string, group: string) => label.replace(`${group} · `, '');

/** Floors of the targets judged on this scenario against its own unguarded route. */
function floorsOf(targets: TargetLine[], scenario: string): number[] {
  return targets
    .filter((t) => t.figure?.scenario === scenario && t.figure.against === undefined && t.figure.direction === 'atLeast')
    .map((t) => t.figure!.limit);
}

/**
 * The main chart: every Express and Fastify route as a capacity ratio to the unguarded route, our guard beside the
 * anchors and controls. Simultaneous pairs when measured; routes measured only one after the other (bracketed req/s,
 * e.g. the rotating-token rows) are added, drawn lighter.
 */
export function guardCapacityChart(report: BenchReport, targets: TargetLine[] = reportTargets(report)): BenchChart {
  const summaries = summarize(report.scenarios);
  const sections: RangeSection[] = [];
  let rounds = 0;
  for (const [group, title] of [['express', 'Express'], ['fastify', 'Fastify']] as const) {
    const rows: RangeRow[] = [];
    const simultaneous = (report.simultaneous ?? []).filter((r) => r.group === group);
    for (const result of simultaneous) {
      const ratios = finite(result.rounds.map(simultaneousRoundRatio));
      rounds = Math.max(rounds, ratios.length);
      const value = median(ratios);
      const floors = floorsOf(targets, result.id);
      rows.push({
        label: withoutGroup(result.label, title),
        key: result.label,
        value,
        low: min(ratios),
        high: max(ratios),
        valueText: `${times(value)}${spread(ratios, times)}${floors.map((f) => ` · floor ${limitTimes(f)}`).join('')}`,
        color: COLORS[guardKind(result.label)],
        limits: floors,
      });
    }
    const simultaneousLabels = new Set(simultaneous.map((r) => r.label));
    for (const summary of summaries.values()) {
      if (summary.result.group !== group || !summary.normalized || simultaneousLabels.has(summary.result.label)) continue;
      const ratios = finite(summary.normalized);
      const floors = floorsOf(targets, summary.result.id);
      rows.push({
        label: withoutGroup(summary.result.label, title),
        key: summary.result.label,
        value: summary.ratio ?? Number.NaN,
        low: min(ratios),
        high: max(ratios),
        valueText: `${times(summary.ratio ?? Number.NaN)}${spread(ratios, times)} · one after the other${floors.map((f) => ` · floor ${limitTimes(f)}`).join('')}`,
        color: COLORS[guardKind(summary.result.label)],
        faded: true,
        limits: floors,
      });
    }
    if (rows.length) sections.push({ title, rows });
  }
  const chartTitle = 'Capacity of a guarded route, relative to the same route without a guard';
  return {
    name: 'guard-capacity',
    title: chartTitle,
    svg: renderRangeChart({
      title: chartTitle,
      subtitle: [
        'Unguarded server CPU per request ÷ the route’s, two processes on one core loaded at the same moment (roles swapped).',
        `Bar: median of ${rounds || 'the'} rounds; whisker: range of the rounds; dashed: the target’s floor. ${machineLine(report)}.`,
      ],
      sections,
      axis: {
        label: 'capacity relative to the unguarded route (×, higher is better; 1× = the guard costs nothing)',
        scale: 'linear',
        format: (n) => `${Number(n.toFixed(2))}×`,
      },
      references: [{ value: 1, label: 'unguarded = 1×' }],
      legend: [
        { kind: 'bar', color: COLORS.ours, label: 'AccessTokenGuard (this library)' },
        { kind: 'bar', color: COLORS.anchor, label: 'other guards (anchors)' },
        { kind: 'bar', color: COLORS.control, label: 'controls (A/A, a guard that returns true)' },
        { kind: 'faded', color: COLORS.control, label: 'measured one after the other (bracketed req/s)' },
        { kind: 'range', color: CHART_COLORS.ink, label: 'range of the rounds' },
        { kind: 'limit', color: CHART_COLORS.limit, label: 'target floor' },
      ],
    }),
  };
}

/** A target's distance from its limit on one axis: measured ÷ floor, or limit ÷ measured for an upper limit (≥ 1 holds). */
function marginOf(direction: 'atLeast' | 'atMost', value: number, limit: number): number {
  return direction === 'atLeast' ? value / limit : limit / value;
}

/**
 * Every ratio target of the report (the lines of its Targets table that carry numbers) on one axis: how far the
 * median and each round are from the target, with the measured values and the limit printed beside it.
 */
export function targetsChart(report: BenchReport, targets: TargetLine[] = reportTargets(report)): BenchChart {
  const rows: RangeRow[] = [];
  for (const target of targets) {
    const figure = target.figure;
    if (!figure || !Number.isFinite(figure.value)) continue;
    const margins = finite(figure.rounds.map((r) => marginOf(figure.direction, r, figure.limit)));
    const rounds = finite(figure.rounds);
    const limitText = `${figure.direction === 'atLeast' ? 'floor' : 'limit'} ${limitTimes(figure.limit)}`;
    rows.push({
      label: target.name,
      value: marginOf(figure.direction, figure.value, figure.limit),
      low: min(margins),
      high: max(margins),
      valueText: `${times(figure.value)}${spread(rounds, times)} · ${limitText}`,
      color: target.holds ? COLORS.holds : COLORS.misses,
    });
  }
  const chartTitle = 'Targets: each measured ratio against its floor';
  return {
    name: 'targets',
    title: chartTitle,
    svg: renderRangeChart({
      title: chartTitle,
      subtitle: [
        'Measured ÷ floor (for an upper limit, such as p99 during the storm: limit ÷ measured), so right of 1 the target holds.',
        `Bar: the median the target judges; whisker: range of the rounds. ${machineLine(report)}.`,
      ],
      sections: [{ rows }],
      axis: { label: 'measured relative to the target (1 = exactly at the floor or limit; higher is better)', scale: 'linear', format: (n) => `${Number(n.toFixed(2))}` },
      references: [{ value: 1, label: 'target' }],
      legend: [
        { kind: 'bar', color: COLORS.holds, label: 'holds' },
        { kind: 'bar', color: COLORS.misses, label: 'misses' },
        { kind: 'range', color: CHART_COLORS.ink, label: 'range of the rounds' },
      ],
    }),
  };
}

/** Per-round latency percentile of the 2xx responses; rounds without any (the blocked event loop) have none. */
function percentiles(results: LoadResult[], pick: 'p50' | 'p90' | 'p99'): number[] {
  return finite(results.filter((r) => r.ok > 0).map((r) => r[pick]));
}

function stormSection(row: StormResult, targets: TargetLine[]): RangeSection {
  const target = targets.find((t) => t.figure?.scenario === row.id && t.figure.direction === 'atMost');
  const rows: RangeRow[] = [];
  for (const pick of ['p50', 'p90', 'p99'] as const) {
    const idle = percentiles(row.idle, pick);
    const storm = percentiles(row.storm, pick);
    if (!idle.length && !storm.length) continue; // not recorded (e.g. a report from before p90 was kept)
    // The storm target limits p99 during the storm to a multiple of the idle p99 (medians over rounds).
    const limit = pick === 'p99' && target?.figure ? target.figure.limit * median(idle) : undefined;
    for (const [phase, values, color] of [['idle', idle, COLORS.idle], ['during the storm', storm, COLORS.storm]] as const) {
      const duringStorm = phase !== 'idle';
      const value = median(values);
      rows.push({
        label: `${pick} ${phase}`,
        value,
        low: min(values),
        high: max(values),
        valueText: values.length
          ? `${ms(value)}${spread(values, ms)}${duringStorm && limit !== undefined ? ` · limit ${ms(limit)}` : ''}`
          : 'no 2xx response',
        color,
        limits: duringStorm && limit !== undefined ? [limit] : [],
      });
    }
  }
  const ratio = median(percentiles(row.storm, 'p99')) / median(percentiles(row.idle, 'p99'));
  const effect = Number.isFinite(ratio) ? `p99 storm ÷ idle ${times(ratio)}` : 'no 2xx response during the storm';
  return {
    title: `${row.label}${row.target ? ' (target)' : ''}: ${Math.round(median(finite(row.loginsPerSecond)))} logins/s, ${effect}`,
    rows,
  };
}

/** Latency percentiles of the guarded route, idle and during the login storm, for every storm variant measured. */
export function loginStormChart(report: BenchReport, targets: TargetLine[] = reportTargets(report)): BenchChart | undefined {
  if (!report.storm?.length) return undefined;
  const rounds = Math.max(...report.storm.map((r) => r.idle.length));
  const chartTitle = 'Guarded route latency, idle and during a login storm';
  return {
    name: 'login-storm',
    title: chartTitle,
    svg: renderRangeChart({
      title: chartTitle,
      subtitle: [
        `${report.settings.connections} connections on the guarded route; during the storm ${report.settings.stormConnections} more connections log in continuously (argon2id).`,
        `Bar: median of ${rounds} rounds; whisker: range of the rounds; dashed: the target’s limit on p99. ${machineLine(report)}.`,
      ],
      sections: report.storm.map((row) => stormSection(row, targets)),
      axis: { label: 'latency of 2xx responses (ms, log scale; lower is better)', scale: 'log', format: (n) => `${Number(n.toPrecision(3))} ms` },
      legend: [
        { kind: 'bar', color: COLORS.idle, label: 'idle' },
        { kind: 'bar', color: COLORS.storm, label: 'during the storm' },
        { kind: 'range', color: CHART_COLORS.ink, label: 'range of the rounds' },
        { kind: 'limit', color: CHART_COLORS.limit, label: 'target limit on p99 (its multiple of the idle p99)' },
      ],
    }),
  };
}

/** Every chart the report has data for: guard capacity (when HTTP ran), targets, the login storm. */
export function renderCharts(report: BenchReport): BenchChart[] {
  const targets = reportTargets(report);
  const charts: (BenchChart | undefined)[] = [
    (report.simultaneous ?? []).some((r) => r.group === 'express' || r.group === 'fastify') || report.scenarios.some((s) => s.brackets)
      ? guardCapacityChart(report, targets)
      : undefined,
    targets.some((t) => t.figure) ? targetsChart(report, targets) : undefined,
    loginStormChart(report, targets),
  ];
  return charts.filter((c): c is BenchChart => c !== undefined);
}

/**
 * Writes the charts next to the report: for `bench/results/latest.md` (or `.json`), `latest-guard-capacity.svg`,
 * `latest-targets.svg` and `latest-login-storm.svg`. Returns the paths written.
 */
export function writeCharts(report: BenchReport, reportPath: string): string[] {
  const base = reportPath.replace(/\.(md|json)$/, '');
  return renderCharts(report).map((chart) => {
    const path = `${base}-${chart.name}.svg`;
    writeFileSync(path, chart.svg);
    return path;
  });
}
