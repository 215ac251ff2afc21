#!/usr/bin/env node
// Bundles the client entry point (lib/client/index.ts) into one browser script that plain HTML pages can load with
// <script src>: an IIFE exposing the global `DualTokenAuthClient`.
//
// Usage: node scripts/bundle-client.mjs [outDir]      (outDir defaults to build/public)
import { build } from 'esbuild';
import { stat, readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(process.cwd(), process.argv[2] ?? path.join(root, 'build/public'));
const outfile = path.join(outDir, 'dual-token-auth-client.js');

const result = await build({
  absWorkingDir: root, // metafile paths below are relative to this
  entryPoints: ['lib/client/index.ts'],
  outfile,
  bundle: true,
  format: 'iife',
  globalName: 'DualTokenAuthClient',
  platform: 'browser',
  // ES2020: every browser with fetch, AbortController and BroadcastChannel parses it without polyfills.
  target: 'es2020',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
});

// The client must stay free of dependencies (Nest, axios, Node built-ins): anything outside lib/client is a bug.
const inputs = Object.keys(result.metafile.inputs);
const foreign = inputs.filter((file) => !file.startsWith('lib/client/'));
if (foreign.length > 0) {
  console.error(`Unexpected files in the client bundle (the client must stay dependency-free):\n  ${foreign.join('\n  ')}`);
  process.exit(1);
}

const { size } = await stat(outfile);
const gzipped = gzipSync(await readFile(outfile)).length;
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`;
console.log(`${path.relative(process.cwd(), outfile)}: ${kib(size)} (${kib(gzipped)} gzip), ${inputs.length} modules, global DualTokenAuthClient`);
