// The bench's charts (bench/src/charts.ts), rendered from a report reconstructed from the full run of 2026-12-02
// (bench/fixtures/report-2026-12-02.json): what a reader of the README's picture relies on — one bar per measured
// route with the right median, range and target floor, bars drawn to scale, files GitHub can show.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { guardCapacityChart, loginStormChart, renderCharts, targetsChart } from '../bench/src/charts.js';
import { reportTargets, type BenchReport, type SimultaneousResult } from '../bench/src/report.js';
import { findAll, parseXml, textOf, type XmlElement } from './harness/parse-xml.js';

const fixture = (): BenchReport =>
  JSON.parse(readFileSync(new URL('../bench/fixtures/report-2026-12-02.json', import.meta.url), 'utf8')) as BenchReport;

const rowsOf = (svg: string) => findAll(parseXml(svg), (e) => e.name === 'g' && e.attributes.class === 'row');
/** The row of a scenario or target, by its full label (the guard chart shows it without the adapter's name). */
const rowLabelled = (svg: string, label: string): XmlElement => {
  const row = rowsOf(svg).find((r) => r.attributes['data-key'] === label);
  if (!row) throw new Error(`no row "${label}" in: ${rowsOf(svg).map((r) => r.attributes['data-key']).join(' | ')}`);
  return row;
};
const barWidth = (row: XmlElement) => Number(findAll(row, (e) => e.attributes.class === 'bar')[0]!.attributes.width);
const limitsOf = (row: XmlElement) => findAll(row, (e) => e.attributes.class === 'limit').map((e) => Number(e.attributes['data-value']));

describe('bench charts', () => {
  it('writes three self-contained, well-formed SVG documents with a title', () => {
    const charts = renderCharts(fixture());
    expect(charts.map((c) => c.name)).toEqual(['guard-capacity', 'targets', 'login-storm']);
    for (const chart of charts) {
      const root = parseXml(chart.svg);
      expect(root.name).toBe('svg');
      expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
      expect(textOf(findAll(root, (e) => e.name === 'title')[0]!)).toBe(chart.title);
      // GitHub shows an SVG in an <img>: nothing external or scripted would load there.
      expect(chart.svg).not.toMatch(/<script|href=|@import|url\(/i);
    }
  });

  it('draws one bar per Express and Fastify route, each guard at its median ratio with its floor', () => {
    const report = fixture();
    const { svg } = guardCapacityChart(report);
    const simultaneous = report.simultaneous!.filter((r) => r.group === 'express' || r.group === 'fastify');
    const labels = rowsOf(svg).map((r) => r.attributes['data-key']);
    // Every simultaneous pair, then the routes measured only one after the other (no pair of their own).
    expect(labels).toEqual([
      ...simultaneous.filter((r) => r.group === 'express').map((r) => r.label),
      'Express · tutorial guard (@nestjs/jwt verify, string secret)',
      'Express · AccessTokenGuard, 5000 rotating tokens',
      ...simultaneous.filter((r) => r.group === 'fastify').map((r) => r.label),
      'Fastify · AccessTokenGuard, 5000 rotating tokens',
    ]);

    const expressOurs = rowLabelled(svg, 'Express · AccessTokenGuard');
    expect(expressOurs.attributes['data-label']).toBe('AccessTokenGuard'); // under the heading "Express"
    expect(textOf(expressOurs)).toContain('0.97× · rounds 0.86–1.13× · floor 0.93×');
    expect(limitsOf(expressOurs)).toEqual([0.93]);
    expect(limitsOf(rowLabelled(svg, 'Fastify · AccessTokenGuard'))).toEqual([0.7]);
    expect(limitsOf(rowLabelled(svg, 'Express · AccessTokenGuard + session check'))).toEqual([0.85]);
    expect(limitsOf(rowLabelled(svg, 'Express · @nestjs/passport + passport-jwt (string secret)'))).toEqual([]);
    expect(textOf(rowLabelled(svg, 'Fastify · tutorial guard (@nestjs/jwt verify, string secret)'))).toContain('0.079×');
    expect(textOf(rowLabelled(svg, 'Fastify · AccessTokenGuard, 5000 rotating tokens'))).toContain('0.57× · rounds 0.47–0.64× · one after the other');

    // Bars are drawn to scale from 0: our guard's bar is its ratio over passport-jwt's as long as passport-jwt's.
    const passport = rowLabelled(svg, 'Express · @nestjs/passport + passport-jwt (string secret)');
    const ours = Number(expressOurs.attributes['data-value']);
    expect(barWidth(expressOurs) / barWidth(passport)).toBeCloseTo(ours / Number(passport.attributes['data-value']), 1);
    expect(textOf(parseXml(svg))).toContain('unguarded = 1×');
  });

  it('shows a route added to the bench without new drawing code', () => {
    const report = fixture();
    const ours = report.simultaneous!.find((r) => r.id === 'sim-fastify-ours')!;
    const handWritten: SimultaneousResult = { ...ours, id: 'sim-fastify-hand-written', label: 'Fastify · hand-written fast-jwt guard' };
    report.simultaneous!.push(handWritten);
    const row = rowLabelled(guardCapacityChart(report).svg, 'Fastify · hand-written fast-jwt guard');
    expect(textOf(row)).toContain('0.92×');
    expect(row.attributes['data-value']).toBe(rowLabelled(guardCapacityChart(report).svg, 'Fastify · AccessTokenGuard').attributes['data-value']);
  });

  it('puts every ratio target on one axis, coloured by whether it holds, with the number the Targets table prints', () => {
    const report = fixture();
    const { svg } = targetsChart(report);
    const judged = reportTargets(report).filter((t) => t.figure);
    expect(rowsOf(svg).map((r) => r.attributes['data-key'])).toEqual(judged.map((t) => t.name));
    for (const target of judged) {
      const row = rowLabelled(svg, target.name);
      expect(textOf(row)).toContain(target.measured);
      expect(findAll(row, (e) => e.attributes.class === 'bar')[0]!.attributes.fill).toBe(target.holds ? '#16a34a' : '#dc2626');
    }
    const tutorial = rowLabelled(svg, 'Fastify: our guard ≥ 15× tutorial guard');
    expect(textOf(tutorial)).toContain('11.46× · rounds 10.73–12.80× · floor 15×');
    expect(Number(tutorial.attributes['data-value'])).toBeCloseTo(11.46 / 15, 2);
    // An upper limit counts the other way round: p99 at 1.38× idle against a limit of 1.2× is 1.2 / 1.38 from the target.
    expect(Number(rowLabelled(svg, 'Login storm: guarded p99 ≤ 1.2× idle p99').attributes['data-value'])).toBeCloseTo(1.2 / 1.381, 2);
  });

  it('shows the login storm’s latency percentiles idle and during the storm, with the limit on p99', () => {
    const chart = loginStormChart(fixture())!;
    const root = parseXml(chart.svg);
    const headings = textOf(root);
    expect(headings).toContain('argon2id async (libuv pool on a spare core) (target): 36 logins/s, p99 storm ÷ idle 1.38×');
    expect(headings).toContain('argon2id verifySync on the event loop (control)');
    const rows = rowsOf(chart.svg);
    // Four variants × (p50, p99) × (idle, storm): the fixture has no p90 (the markdown it comes from did not print it).
    expect(rows).toHaveLength(16);
    const stormP99 = rows.find((r) => r.attributes['data-label'] === 'p99 during the storm')!;
    expect(textOf(stormP99)).toContain('52.7 ms');
    expect(textOf(stormP99)).toContain('limit 45.8 ms');
    expect(limitsOf(stormP99)[0]).toBeCloseTo(1.2 * 38.18, 5);
    // The blocked event loop answered nothing during the storm: said, not drawn as a zero.
    const blocked = rows.filter((r) => textOf(r).includes('no 2xx response'));
    expect(blocked.map((r) => r.attributes['data-label'])).toEqual(['p50 during the storm', 'p99 during the storm']);
    expect(blocked.every((r) => findAll(r, (e) => e.attributes.class === 'bar').length === 0)).toBe(true);
  });
});
