// Re-renders a report from its raw numbers: `npm run bench:render -- bench/results/latest.json` (writes the .md and
// the charts, latest-*.svg, next to it).
import { readFileSync, writeFileSync } from 'node:fs';
import { writeCharts } from './charts.js';
import { renderReport, type BenchReport } from './report.js';
import { RESULTS_DIR } from './settings.js';

const jsonPath = process.argv[2] ?? `${RESULTS_DIR}latest.json`;
const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchReport;
const markdownPath = jsonPath.replace(/\.json$/, '.md');
writeFileSync(markdownPath, renderReport(report));
process.stdout.write(`${markdownPath}\n`);
for (const chart of writeCharts(report, markdownPath)) process.stdout.write(`${chart}\n`);
