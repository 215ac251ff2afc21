// The `client-size` section: what a consumer's bundler ships for each way of using the client (issue 16 item 5).
// Reproduce alone with `BENCH_ONLY=client-size npm run bench`; test/client-bundle-size.e2e-spec.ts holds the core to
// its budget with the same bundling code (test/harness/client-bundle-size.ts).
import { CLIENT_CORE_GZIP_BUDGET_BYTES, measureClientBundles } from '../../test/harness/client-bundle-size.js';

/** One combination's bundle size, bytes. */
export interface ClientSizeRow {
  id: string;
  label: string;
  minBytes: number;
  gzipBytes: number;
}

/** The section's result. */
export interface ClientSizeResult {
  /** Gzip budget of the `core` row, bytes. */
  coreBudgetGzipBytes: number;
  rows: ClientSizeRow[];
  /** The core's largest source modules (minified bytes): where a trim would pay. */
  coreModules: { file: string; bytes: number }[];
}

export async function measureClientSize(): Promise<ClientSizeResult> {
  const bundles = await measureClientBundles();
  return {
    coreBudgetGzipBytes: CLIENT_CORE_GZIP_BUDGET_BYTES,
    rows: bundles.map(({ id, label, minBytes, gzipBytes }) => ({ id, label, minBytes, gzipBytes })),
    coreModules: bundles.find((bundle) => bundle.id === 'core')?.modules.slice(0, 8) ?? [],
  };
}

const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** Markdown of the section. */
export function renderClientSizeSection(result: ClientSizeResult): string[] {
  const core = result.rows.find((row) => row.id === 'core');
  const lines = [
    '## Client bundle size',
    '',
    'What a consumer\'s bundler ships for each way of using the client: esbuild, ESM, browser platform, minified, ' +
      'tree-shaken, gzip level 9. `core` is `nestjs-dual-token-auth/client/core`; the optional parts are their own imports.',
    '',
    '| usage | minified | gzip |',
    '|---|---:|---:|',
    ...result.rows.map((row) => `| ${row.label} | ${kib(row.minBytes)} | ${kib(row.gzipBytes)} (${row.gzipBytes} B) |`),
    '',
  ];
  if (core) {
    const within = core.gzipBytes <= result.coreBudgetGzipBytes;
    lines.push(
      `Core budget: ≤ ${result.coreBudgetGzipBytes} B gzip: **${within ? 'holds' : 'missed'}** (${core.gzipBytes} B). ` +
        `Largest modules of the core (minified bytes): ${result.coreModules.map((m) => `${m.file.replace(/^lib\/client\//, '')} ${m.bytes}`).join(', ')}.`,
      '',
    );
  }
  return lines;
}
