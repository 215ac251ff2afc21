// The `transports` section: the library's guard on a GraphQL query (Apollo on Express, Mercurius on Fastify) and its
// socket.io authentication, each against the same operation without authentication, as simultaneous pairs
// (simultaneous.ts): two identical processes on CPU 1 loaded at the same moment, roles swapped. See bench/README.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LOADGEN_CPU, SERVER_CPU, type BenchServer, type LoadResult } from './load.js';
import type { Settings } from './settings.js';
import type { PairDriver, PairTarget, SimultaneousPair } from './simultaneous.js';
import type { SocketIoLoadCommand, SocketIoLoadJob, SocketIoLoadMessage } from './socketio-load.js';
import { coreTimes, processCpuSeconds } from './system.js';
import type { ServerConfig } from './shared.js';

/** The queries of transports-app.ts's BenchResolver: `open` (unguarded) and `me` (AccessTokenGuard). */
const GRAPHQL_OPEN: PairTarget = { path: '/graphql', method: 'POST', body: JSON.stringify({ query: '{ open { ok user } }' }), tokens: 'ours' };
const GRAPHQL_GUARDED: PairTarget = { path: '/graphql', method: 'POST', body: JSON.stringify({ query: '{ me { ok user } }' }), tokens: 'ours' };

const GRAPHQL_ALLOW_ALL: PairTarget = { path: '/graphql', method: 'POST', body: JSON.stringify({ query: '{ allowAll { ok user } }' }), tokens: 'ours' };

const SOCKET_OPEN: PairTarget = { path: '/open', tokens: 'ours' };
const SOCKET_AUTH: PairTarget = { path: '/auth', tokens: 'ours' };
const SOCKET_HANDSHAKE_ONLY: PairTarget = { path: '/auth-handshake-only', tokens: 'ours' };
const SOCKET_ALLOW_ALL: PairTarget = { path: '/allow-all', tokens: 'ours' };

export function transportPairs(settings: Settings): SimultaneousPair[] {
  const plain = { sessionCheck: false, passport: false, tokenPool: settings.connections } satisfies Partial<ServerConfig>;
  const graphqlPair = (driver: 'apollo' | 'mercurius'): SimultaneousPair => {
    const name = driver === 'apollo' ? 'GraphQL (Apollo/Express)' : 'GraphQL (Mercurius/Fastify)';
    return {
      name: `${driver}-simultaneous`,
      group: `graphql-${driver}`,
      config: { ...plain, adapter: driver === 'apollo' ? 'express' : 'fastify', graphql: driver },
      baseline: GRAPHQL_OPEN,
      scenarios: [
        { id: `sim-${driver}-open`, label: `${name} · unguarded query (A/A control)`, ...GRAPHQL_OPEN, every: 2,
          note: 'the unguarded query on both processes: what is left of the noise; every second round' },
        { id: `sim-${driver}-guarded`, label: `${name} · query with AccessTokenGuard`, ...GRAPHQL_GUARDED,
          note: '`POST /graphql` `{ me { ok user } }` (`@UseGuards(AccessTokenGuard)`, `@CurrentUser()`) against `{ open { ok user } }` ' +
            '(no guard, `@Context()`); the same object type; both sides send the same `Authorization: Bearer` header' },
        // Only on Mercurius, where the guard's share is large enough to matter (Apollo spends ~0.4 ms per query).
        ...(driver === 'mercurius'
          ? [{ id: `sim-${driver}-allow-all`, label: `${name} · query with a guard that returns true`, ...GRAPHQL_ALLOW_ALL, every: 4,
              note: 'informational: `{ allowAll { ok user } }`, as `open` plus `@UseGuards` with a guard that returns `true` (the cost of Nest\'s guard machinery for resolvers alone); every fourth round' }]
          : []),
      ],
    };
  };
  return [
    graphqlPair('apollo'),
    graphqlPair('mercurius'),
    {
      name: 'socketio-simultaneous',
      group: 'socket.io',
      config: { ...plain, adapter: 'express', socketIo: true },
      baseline: SOCKET_OPEN,
      driver: (servers) => startSocketIoDriver(servers, [SOCKET_OPEN, SOCKET_AUTH, SOCKET_HANDSHAKE_ONLY, SOCKET_ALLOW_ALL].map((t) => t.path), settings),
      scenarios: [
        { id: 'sim-socketio-open', label: 'socket.io · unauthenticated round trip (A/A control)', ...SOCKET_OPEN, every: 2,
          note: 'namespace `/open` on both processes: what is left of the noise; every second round' },
        { id: 'sim-socketio-auth', label: 'socket.io · authenticated round trip', ...SOCKET_AUTH,
          note: '`emit(\'ping\')` with an acknowledgement, the next emit when the ack arrives, on namespace `/auth` (handshake authenticated by ' +
            '`SocketAuthenticator`, `@UseGuards(AccessTokenGuard)` and `@CurrentUser()` on the handler) against namespace `/open` (no authentication); ' +
            'a "request" is one round trip; connections are opened before the rounds (handshakes are not measured)' },
        { id: 'sim-socketio-handshake-only', label: 'socket.io · authenticated handshake, no guard on the handler', ...SOCKET_HANDSHAKE_ONLY, every: 4,
          note: 'informational: namespace `/auth-handshake-only`, handshake authenticated by `SocketAuthenticator` as on `/auth`, the handler without ' +
            '`AccessTokenGuard` (`@CurrentUser()` reads the user the handshake verified); every fourth round' },
        { id: 'sim-socketio-allow-all', label: 'socket.io · guard that returns true (no authentication)', ...SOCKET_ALLOW_ALL, every: 4,
          note: 'informational: namespace `/allow-all`, unauthenticated, `@UseGuards` with a guard that returns `true` (the cost of Nest\'s WebSocket guard machinery alone); every fourth round' },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// socket.io load: one generator process for the pair (socketio-load.ts) under `taskset -c 0`, its clients connected to
// every namespace of both servers for the pair's lifetime; the server's CPU time is read from /proc around each run.

async function startSocketIoDriver(servers: [BenchServer, BenchServer], namespaces: string[], settings: Settings): Promise<PairDriver> {
  const job: SocketIoLoadJob = {
    servers: servers.map((server) => ({ url: server.url, tokens: server.ready.ours })),
    namespaces,
    connections: Math.max(1, Math.floor(settings.connections / 2)),
  };
  const script = fileURLToPath(new URL('./socketio-load.js', import.meta.url));
  const child: ChildProcess = spawn('taskset', ['-c', String(LOADGEN_CPU), process.execPath, script], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', BENCH_SOCKETIO_LOAD: JSON.stringify(job) },
  });
  const pending = new Map<number | 'ready', { resolve: (m: SocketIoLoadMessage) => void; reject: (e: Error) => void }>();
  const answer = (key: number | 'ready') => new Promise<SocketIoLoadMessage>((resolve, reject) => pending.set(key, { resolve, reject }));
  child.on('message', (message: SocketIoLoadMessage) => {
    const key = message.type === 'ready' ? 'ready' : (message.id ?? 'ready');
    const waiter = pending.get(key);
    pending.delete(key);
    waiter?.resolve(message);
  });
  child.once('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`socket.io load generator exited with ${code}`));
    pending.clear();
  });
  const ready = await answer('ready');
  if (ready.type !== 'ready') throw new Error(`socket.io load generator: ${ready.type === 'failed' ? ready.message : ready.type}`);
  let nextId = 0;

  return {
    async load(server, target, _connections, duration): Promise<LoadResult> {
      const id = nextId++;
      const done = answer(id);
      const cpuBefore = processCpuSeconds(server.pid);
      const coreBefore = coreTimes(SERVER_CPU);
      const started = process.hrtime.bigint();
      child.send({ type: 'run', id, server: servers.indexOf(server), namespace: target.path, duration } satisfies SocketIoLoadCommand);
      const result = await done;
      if (result.type !== 'done') throw new Error(`socket.io load on ${server.name}: ${result.type === 'failed' ? result.message : result.type}`);
      const wall = Number(process.hrtime.bigint() - started) / 1e9;
      const serverCpu = processCpuSeconds(server.pid) - cpuBefore;
      const coreAfter = coreTimes(SERVER_CPU);
      return {
        rps: result.ok / result.durationSec,
        ok: result.ok,
        non2xx: 0,
        errors: result.errors,
        timeouts: 0,
        durationSec: result.durationSec,
        p50: result.p50,
        p90: result.p90,
        p99: result.p99,
        max: result.max,
        serverCpuPct: (serverCpu / wall) * 100,
        cpuUsPerRequest: result.ok > 0 ? (serverCpu / result.ok) * 1e6 : Number.NaN,
        foreignPct: Math.max(0, ((coreAfter.busy - coreBefore.busy - serverCpu) / (coreAfter.total - coreBefore.total)) * 100),
      };
    },
    async close(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
      if (child.connected) child.disconnect();
      else child.kill('SIGTERM');
      await exited;
      clearTimeout(timer);
    },
  };
}
