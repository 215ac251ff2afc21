// The socket.io load generator: a child process of the runner, started as `taskset -c 0 node socketio-load.js` with
// its job in BENCH_SOCKETIO_LOAD. It opens `connections` socket.io clients per namespace to each server of a pair (each
// client its own connection, WebSocket transport, an access token in `auth` on every namespace so the handshakes
// differ only in whether the server checks it), says `ready`, and then on each `run` message makes the clients of one
// server's namespace emit `ping` with an acknowledgement back to back (the next emit as soon as the ack arrives) for
// the given seconds. It answers with the number of acks and their latencies; the runner reads the server's CPU time
// around it. One process drives both servers of a pair, so the two loads of a window share one event loop and get the
// same share of CPU 0 (two generator processes were scheduled unevenly, which changed how busy each server was).
import { performance } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import { quantileSorted } from './stats.js';

export interface SocketIoLoadJob {
  /** The servers of the pair: base URL and the access tokens to hand out (connection i gets token i mod n). */
  servers: { url: string; tokens: string[] }[];
  namespaces: string[];
  /** Clients per server and namespace. */
  connections: number;
}

export type SocketIoLoadCommand = { type: 'run'; id: number; server: number; namespace: string; duration: number };

export type SocketIoLoadMessage =
  | { type: 'ready' }
  | { type: 'failed'; id?: number; message: string }
  | {
      type: 'done';
      id: number;
      /** Acks with `{ ok: true }`. */
      ok: number;
      /** Acks with anything else, and timeouts. */
      errors: number;
      durationSec: number;
      p50: number;
      p90: number;
      p99: number;
      max: number;
    };

const ACK_TIMEOUT_MS = 30_000;

function send(message: SocketIoLoadMessage): void {
  process.send?.(message);
}

function connect(url: string, token: string): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false, auth: { token } });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(new Error(`${url}: ${error.message}`));
    });
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(process.env.BENCH_SOCKETIO_LOAD ?? '{}') as SocketIoLoadJob;
  const sockets = new Map<string, Socket[]>();
  for (const [index, server] of job.servers.entries()) {
    for (const namespace of job.namespaces) {
      sockets.set(
        `${index}${namespace}`,
        await Promise.all(Array.from({ length: job.connections }, (_, i) => connect(`${server.url}${namespace}`, server.tokens[i % server.tokens.length]!))),
      );
    }
  }

  const run = async (id: number, server: number, namespace: string, duration: number): Promise<SocketIoLoadMessage> => {
    const clients = sockets.get(`${server}${namespace}`);
    if (!clients) throw new Error(`not connected to namespace ${namespace} of server ${server}`);
    const latencies: number[] = [];
    let ok = 0;
    let errors = 0;
    const started = performance.now();
    const deadline = started + duration * 1000;
    // One loop per client: emit, wait for the ack, emit again; the last emit is the first one after the deadline's ack.
    await Promise.all(
      clients.map(
        (socket) =>
          new Promise<void>((resolve) => {
            const next = () => {
              const sent = performance.now();
              socket.timeout(ACK_TIMEOUT_MS).emit('ping', (error: Error | null, answer?: { ok?: boolean }) => {
                const now = performance.now();
                if (!error && answer?.ok === true) {
                  ok += 1;
                  latencies.push(now - sent);
                } else errors += 1;
                if (now < deadline && !error) next();
                else resolve();
              });
            };
            next();
          }),
      ),
    );
    const durationSec = (performance.now() - started) / 1000;
    const sorted = latencies.sort((a, b) => a - b);
    return {
      type: 'done',
      id,
      ok,
      errors,
      durationSec,
      p50: quantileSorted(sorted, 0.5),
      p90: quantileSorted(sorted, 0.9),
      p99: quantileSorted(sorted, 0.99),
      max: quantileSorted(sorted, 1),
    };
  };

  process.on('message', (command: SocketIoLoadCommand) => {
    if (command.type !== 'run') return;
    run(command.id, command.server, command.namespace, command.duration).then(send, (error: unknown) =>
      send({ type: 'failed', id: command.id, message: (error as Error).message }),
    );
  });
  // The runner owns this process.
  process.on('disconnect', () => {
    for (const list of sockets.values()) for (const socket of list) socket.close();
    process.exit(0);
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: (error as Error).message });
  console.error('[bench socket.io load] failed:', error);
  process.exit(1);
});
