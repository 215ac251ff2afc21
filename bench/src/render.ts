// Re-renders a report from its raw numbers: `node bench/dist/render.js bench/results/latest.json` (writes the .md next to it).
import { readFileSync, writeFileSync } from 'node:fs';
import { renderReport, type BenchReport } from './report.js';

const jsonPath = process.argv[2] ?? new URL('../results/latest.json', import.meta.url).pathname;
const report = JSON.parse(readFileSync(jsonPath, 'utf8')) as BenchReport;
const markdownPath = jsonPath.replace(/\.json$/, '.md');
writeFileSync(markdownPath, renderReport(report));
process.stdout.write(`${markdownPath}\n`);
