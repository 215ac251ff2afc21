// Types and constants shared by the runner (bench/src/run.ts) and the server child process (bench/src/server.ts).

/** HMAC secrets of the bench apps: distinct per kind, ≥ 32 bytes, so the library starts without warnings. */
export const ACCESS_SECRET = 'bench-access-secret-0123456789abcdef0123456789';
export const REFRESH_SECRET = 'bench-refresh-secret-0123456789abcdef012345678';
/** The tutorial's single string secret, used by the `@nestjs/jwt` guard and by passport-jwt. */
export const TUTORIAL_SECRET = 'tutorial-secret-0123456789abcdef0123456789ab';

export const BENCH_USERNAME = 'alice';
export const BENCH_PASSWORD = 'alice-password';

export type AdapterName = 'express' | 'fastify';

/** How one server child process is built. Passed as JSON in the `BENCH_SERVER` environment variable. */
export interface ServerConfig {
  adapter: AdapterName;
  /** `rejectRevokedAccessTokens` of the library (the per-request session check). */
  sessionCheck: boolean;
  /** Register the passport-jwt route (Express only: `@nestjs/passport` targets Express). */
  passport: boolean;
  /** Access tokens of our library and of the tutorial to create at startup (distinct sessions/users). */
  tokenPool: number;
  /** MySQL URL: sessions in MySQL through `TypeOrmSessionStore`, plus `GET /db-read` (one primary-key read). */
  mysqlUrl?: string;
  /**
   * Redis URL: sessions in `RedisSessionStore`, revocations pushed by `RedisSessionRevocationBus`, plus
   * `GET /redis-read` (one GET on the same client).
   */
  redisUrl?: string;
  /**
   * With `redisUrl`: keep sessions in the in-memory store anyway (the Redis client, `GET /redis-read` and the bus stay),
   * so a refresh on Redis can be compared with the same refresh without the Redis store.
   */
  inMemorySessions?: boolean;
  /** Login and refresh limits on (counted in `RedisRateLimitStore` with `redisUrl`); off by default, as in the other scenarios. */
  rateLimit?: boolean;
  /** `revocationCheckCacheSeconds` of the library; its default when absent. */
  revocationCheckCacheSeconds?: number;
  /** Users' passwords checked with argon2id (`@node-rs/argon2`), `async` on libuv threads or `sync` (blocking control). */
  argon2?: 'async' | 'sync';
  /**
   * Move libuv's thread pool (where `@node-rs/argon2` hashes) to this CPU at nice 19, keeping the event loop on the
   * CPU the process was started on. Models a server with a spare core for hashing while the load generator keeps
   * priority on its own core.
   */
  poolCpu?: number;
  /**
   * `UV_THREADPOOL_SIZE` of the server process (libuv's pool, where `@node-rs/argon2` hashes): set in its environment
   * at spawn, since libuv reads it once, when the pool is first used, and Node's ESM loader uses the pool before any
   * module of ours runs. libuv's default (4) when absent.
   */
  threadPoolSize?: number;
  /**
   * GraphQL at `POST /graphql` (`transports` section): Apollo (needs `adapter: 'express'`) or Mercurius (needs
   * `adapter: 'fastify'`), with the queries `open` (unguarded) and `me` (`AccessTokenGuard`) of bench/src/transports-app.ts.
   */
  graphql?: 'apollo' | 'mercurius';
  /** socket.io gateways (`transports` section): namespace `/open` unauthenticated, `/auth` behind `SocketAuthenticator`. */
  socketIo?: boolean;
  /**
   * The many-users scenario: `sessions` sessions, each with `tokensPerSession` distinct valid access tokens (issued a
   * second apart), all of them in `ReadyMessage.ours` (replaces `tokenPool`); the server also measures the
   * verification floor on its core.
   */
  manyUsers?: { sessions: number; tokensPerSession: number };
}

/** First message of a server child: where it listens and the tokens it issued. */
export interface ReadyMessage {
  type: 'ready';
  port: number;
  pid: number;
  /** Access tokens of our library, one per session. */
  ours: string[];
  /** Tokens signed by `@nestjs/jwt` with the tutorial's string secret (also accepted by the passport-jwt route). */
  tutorial: string[];
  /** Threads moved to `poolCpu`, with their affinity as read back from /proc (empty when not asked). */
  poolThreads: { tid: number; cpus: string; nice: number }[];
  /** Notes from startup worth showing in the report. */
  notes: string[];
  /** With `manyUsers`: nanoseconds of one HMAC + payload decode on this process's core (verification-floor.ts). */
  verificationFloorNs?: number;
}

export interface MemoryMessage {
  type: 'memory';
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Committed bytes of each V8 heap space (`new_space`, `old_space`, `code_space`, ...), after the forced GC if any. */
  spaces: Record<string, number>;
  /** After a forced full GC (only when the server runs with --expose-gc). */
  rssAfterGc?: number;
  heapUsedAfterGc?: number;
}

export type ServerMessage = ReadyMessage | MemoryMessage;
export type RunnerMessage = { type: 'memory' };
