import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/**
 * What a consumer's bundler ships for the lean client (`nestjs-dual-token-auth/client/core`), gzip bytes: the budget
 * of issue 16. The core is the session (fetch wrapper, single-flight and proactive refresh, typed errors, memory
 * storage); everything else is a separate import.
 */
export const CLIENT_CORE_GZIP_BUDGET_BYTES = 4096;

/** One way a consumer uses the client: the module it writes, bundled on its own. */
export interface ClientUsage {
  id: string;
  /** What the row shows. */
  label: string;
  /** The consumer's module: imports through the package name, exports what it uses so nothing is shaken out. */
  source: string;
}

/** The combinations the bench reports; `core` is the one the test holds to {@link CLIENT_CORE_GZIP_BUDGET_BYTES}. */
export const CLIENT_USAGES: readonly ClientUsage[] = [
  {
    id: 'core',
    label: 'core: createAuthSession (memory storage, fetch wrapper)',
    source: `import { createAuthSession } from 'nestjs-dual-token-auth/client/core';
export const session = createAuthSession({ baseUrl: '/api' });`,
  },
  {
    id: 'core+retry',
    label: 'core + retryLostRefresh (retry of lost refresh answers)',
    source: `import { createAuthSession, retryLostRefresh } from 'nestjs-dual-token-auth/client/core';
export const session = createAuthSession({ baseUrl: '/api', refreshRetry: retryLostRefresh() });`,
  },
  {
    id: 'core+jwt-expiry',
    label: 'core + jwtClaimsExpiry (expiry from JWT claims, clock-skew correction)',
    source: `import { createAuthSession, jwtClaimsExpiry } from 'nestjs-dual-token-auth/client/core';
export const session = createAuthSession({ baseUrl: '/api', jwtExpiry: jwtClaimsExpiry() });`,
  },
  {
    id: 'core+replay-bodies',
    label: 'core + replayableBodies (replay of non-string request bodies)',
    source: `import { createAuthSession, replayableBodies } from 'nestjs-dual-token-auth/client/core';
export const session = createAuthSession({ baseUrl: '/api', replayBodies: replayableBodies() });`,
  },
  {
    id: 'core+all-plugins',
    label: 'core + retryLostRefresh + jwtClaimsExpiry + replayableBodies',
    source: `import { createAuthSession, jwtClaimsExpiry, replayableBodies, retryLostRefresh } from 'nestjs-dual-token-auth/client/core';
export const session = createAuthSession({
  baseUrl: '/api',
  refreshRetry: retryLostRefresh(),
  jwtExpiry: jwtClaimsExpiry(),
  replayBodies: replayableBodies(),
});`,
  },
  {
    id: 'core+cross-tab',
    label: 'core + cross-tab (crossTabSync)',
    source: `import { createAuthSession } from 'nestjs-dual-token-auth/client/core';
import { crossTabSync } from 'nestjs-dual-token-auth/client/cross-tab';
export const session = createAuthSession({ baseUrl: '/api', crossTab: crossTabSync() });`,
  },
  {
    id: 'core+local-storage',
    label: 'core + LocalStorageTokenStorage',
    source: `import { createAuthSession } from 'nestjs-dual-token-auth/client/core';
import { LocalStorageTokenStorage } from 'nestjs-dual-token-auth/client/local-storage';
export const session = createAuthSession({ baseUrl: '/api', storage: new LocalStorageTokenStorage() });`,
  },
  {
    id: 'core+local-storage+cross-tab',
    label: 'core + LocalStorageTokenStorage + cross-tab',
    source: `import { createAuthSession } from 'nestjs-dual-token-auth/client/core';
import { crossTabSync } from 'nestjs-dual-token-auth/client/cross-tab';
import { LocalStorageTokenStorage } from 'nestjs-dual-token-auth/client/local-storage';
export const session = createAuthSession({ baseUrl: '/api', storage: new LocalStorageTokenStorage(), crossTab: crossTabSync() });`,
  },
  {
    id: 'core+axios',
    label: 'core + axios interceptors',
    source: `import { createAuthSession } from 'nestjs-dual-token-auth/client/core';
import { installAxiosInterceptors } from 'nestjs-dual-token-auth/client/axios';
export const install = (axios) => installAxiosInterceptors(axios, createAuthSession({ baseUrl: '/api' }));`,
  },
  {
    id: 'core+realtime',
    label: 'core + graphql-ws and socket.io helpers',
    source: `import { createAuthSession } from 'nestjs-dual-token-auth/client/core';
import { bindSocketIoAuth, graphqlWsAuth } from 'nestjs-dual-token-auth/client/realtime';
export const session = createAuthSession({ baseUrl: '/api' });
export const bind = (socket) => bindSocketIoAuth(session, socket);
export const graphql = () => graphqlWsAuth(session);`,
  },
  {
    id: 'client',
    label: 'nestjs-dual-token-auth/client: createAuthSession (cross-tab wired in, as before)',
    source: `import { createAuthSession } from 'nestjs-dual-token-auth/client';
export const session = createAuthSession({ baseUrl: '/api' });`,
  },
  {
    id: 'everything',
    label: 'everything (export * from nestjs-dual-token-auth/client)',
    source: `export * from 'nestjs-dual-token-auth/client';`,
  },
];

/** Size of one usage's bundle. */
export interface ClientBundleSize {
  id: string;
  label: string;
  /** Minified bytes. */
  minBytes: number;
  /** The minified bundle gzipped at level 9, bytes. */
  gzipBytes: number;
  /** Minified bytes per source module, largest first (where the bytes come from). */
  modules: { file: string; bytes: number }[];
}

/** The repository: the nearest folder above this file whose package.json is this package's (works from bench/dist too). */
function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'nestjs-dual-token-auth') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('client-bundle-size: repository root not found');
    dir = parent;
  }
}

/**
 * Bundles `usage` the way a consumer's bundler does for a browser app: esbuild, ESM, browser platform, minified,
 * tree-shaken (the package declares `sideEffects: false`). The library is taken from its sources through the
 * tsconfig paths (the same modules the build compiles), so no build is needed.
 */
export async function measureClientBundle(usage: ClientUsage): Promise<ClientBundleSize> {
  const root = repositoryRoot();
  const result = await build({
    stdin: { contents: usage.source, resolveDir: root, sourcefile: `${usage.id}.js`, loader: 'js' },
    absWorkingDir: root,
    tsconfig: path.join(root, 'tsconfig.json'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    treeShaking: true,
    legalComments: 'none',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const [output] = Object.values(result.metafile.outputs);
  const modules = Object.entries(output.inputs)
    .map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }))
    .filter(({ bytes }) => bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
  return { id: usage.id, label: usage.label, minBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, modules };
}

/** {@link measureClientBundle} for every usage of {@link CLIENT_USAGES}, in order. */
export async function measureClientBundles(usages: readonly ClientUsage[] = CLIENT_USAGES): Promise<ClientBundleSize[]> {
  const sizes: ClientBundleSize[] = [];
  for (const usage of usages) sizes.push(await measureClientBundle(usage));
  return sizes;
}
