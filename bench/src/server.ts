// One bench server: a child process of the runner, started as `taskset -c 1 node server.js` (next to run.js) with its
// configuration in BENCH_SERVER. Reports its port and a pool of tokens over IPC, answers memory probes, and exits when
// the runner goes away.
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { getHeapSpaceStatistics } from 'node:v8';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { hash } from '@node-rs/argon2';
import { Redis } from 'ioredis';
import { DualTokenService, SessionService, type SessionStore } from 'nestjs-dual-token-auth';
import { RedisRateLimitStore, RedisSessionRevocationBus, RedisSessionStore } from 'nestjs-dual-token-auth/redis';
import { CreateDualTokenSessions1764200000000, DualTokenSessionEntity, TypeOrmSessionStore } from 'nestjs-dual-token-auth/typeorm';
import { DataSource } from 'typeorm';
import { ARGON2_OPTIONS, Argon2UserLookup, BenchAppModule, PlainUserLookup, REDIS_READ_KEY, type BenchAppDependencies, type DbReadTarget } from './app.js';
import type { ReadyMessage, RunnerMessage, ServerConfig, ServerMessage } from './shared.js';
import { measureVerificationFloorNs } from './verification-floor.js';

function send(message: ServerMessage): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.BENCH_SERVER ?? '{}') as ServerConfig;
  const notes: string[] = [];
  const poolThreads = config.poolCpu === undefined ? [] : await moveThreadPool(config.poolCpu, notes);

  let dataSource: DataSource | undefined;
  let sessionStore: SessionStore | undefined;
  const dbReadTarget: DbReadTarget = { sessionId: '' };
  if (config.mysqlUrl) {
    dataSource = await new DataSource({
      type: 'mysql',
      url: config.mysqlUrl,
      entities: [DualTokenSessionEntity],
      migrations: [CreateDualTokenSessions1764200000000],
      migrationsRun: true,
      // Sized on purpose, as the README's TypeORM section advises: one event loop keeps about ten statements busy; with
      // 5 connections refresh measured the same, with 25 lower (more server threads competing, nothing gained).
      extra: { connectionLimit: 10 },
    }).initialize();
    sessionStore = new TypeOrmSessionStore(dataSource);
  }
  let redis: BenchAppDependencies['redis'];
  if (config.redisUrl) {
    // As the README's quick start sets it up: one client for the store, the limits and the bus (which opens its own
    // subscriber connection).
    const client = new Redis(config.redisUrl, { maxRetriesPerRequest: 1 });
    await client.set(REDIS_READ_KEY, 'bench');
    if (!config.inMemorySessions) sessionStore = new RedisSessionStore(client);
    const sessionRevocationBus = new RedisSessionRevocationBus(client);
    await sessionRevocationBus.ready;
    redis = { client, rateLimitStore: new RedisRateLimitStore(client), sessionRevocationBus };
  }
  const userLookup = config.argon2 ? await Argon2UserLookup.create(config.argon2) : new PlainUserLookup();

  // Only the `transports` servers load GraphQL and socket.io (so the other processes stay as they were).
  const transport = config.graphql || config.socketIo ? (await import('./transports-app.js')).transportParts(config) : undefined;
  const module = BenchAppModule.register(config, { userLookup, sessionStore, dataSource, dbReadTarget, redis, transport });
  let app: INestApplication;
  if (config.adapter === 'fastify') {
    app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: ['error', 'warn'] });
  } else {
    app = await NestFactory.create(module, new ExpressAdapter(), { logger: ['error', 'warn'] });
  }
  if (config.socketIo) {
    const { IoAdapter } = await import('@nestjs/platform-socket.io');
    app.useWebSocketAdapter(new IoAdapter(app));
  }
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;

  const sessions = app.get(SessionService);
  const jwt = app.get(JwtService);
  const ours: string[] = [];
  const tutorial: string[] = [];
  let verificationFloorNs: number | undefined;
  if (config.manyUsers) {
    ours.push(...(await manyUsersTokens(sessions, app.get(DualTokenService), config.manyUsers)));
    verificationFloorNs = measureVerificationFloorNs(ours);
  } else {
    for (let i = 1; i <= Math.max(1, config.tokenPool); i += 1) {
      const pair = await sessions.startSession({ userId: i, username: `user${i}` });
      ours.push(pair.access_token);
      tutorial.push(jwt.sign({ sub: String(i), username: `user${i}` }));
    }
  }
  if (dataSource) {
    const row = await dataSource.getRepository(DualTokenSessionEntity).findOne({ where: {}, order: { createdAt: 'ASC' } });
    dbReadTarget.sessionId = row!.id;
  }

  process.on('message', (message: RunnerMessage) => {
    if (message.type !== 'memory') return;
    const before = process.memoryUsage();
    // With --expose-gc (the memory test), also report the settled state after a full collection.
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const after = gc ? process.memoryUsage() : undefined;
    // Committed bytes per V8 heap space: shows whether RSS moved because V8 resized a space (young generation) or
    // because live data grew.
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
    send({ type: 'memory', ...before, spaces, ...(after ? { rssAfterGc: after.rss, heapUsedAfterGc: after.heapUsed } : {}) });
  });
  // The runner owns this process: when it goes away (normally or not), so does the server.
  process.on('disconnect', () => {
    void app.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
  const ready: ReadyMessage = { type: 'ready', port, pid: process.pid, ours, tutorial, poolThreads, notes, verificationFloorNs };
  send(ready);
}

/**
 * Sessions of distinct users, each with several valid access tokens (its login's and more issued a second apart, as a
 * client that refreshes would hold over time): every token distinct, all accepted by the session check.
 */
async function manyUsersTokens(
  sessions: SessionService,
  tokens: DualTokenService,
  { sessions: sessionCount, tokensPerSession }: NonNullable<ServerConfig['manyUsers']>,
): Promise<string[]> {
  const issued: string[] = [];
  const now = Date.now();
  for (let user = 1; user <= sessionCount; user += 1) {
    const first = (await sessions.startSession({ userId: user, username: `user${user}` })).access_token;
    const { sid } = tokens.verifyAccessToken(first);
    issued.push(first);
    for (let k = 1; k < tokensPerSession; k += 1) {
      issued.push(tokens.signAccessToken({ userId: user, username: `user${user}` }, sid, now - k * 1000).token);
    }
  }
  return issued;
}

/**
 * Moves libuv's worker threads (where `@node-rs/argon2` runs) to `cpu` at nice 19. They already exist (Node's ESM
 * loader reads files through the pool), so they are found by what they do: the four threads other than the main one
 * that burn the most CPU during a burst of argon2 hashes.
 */
async function moveThreadPool(cpu: number, notes: string[]): Promise<ReadyMessage['poolThreads']> {
  const poolSize = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
  const before = threadCpuTicks();
  await Promise.all(Array.from({ length: poolSize * 6 }, (_, i) => hash(`burst-${i}`, ARGON2_OPTIONS)));
  const after = threadCpuTicks();
  const busiest = [...after.entries()]
    .filter(([tid]) => tid !== process.pid)
    .map(([tid, ticks]) => ({ tid, delta: ticks - (before.get(tid) ?? 0) }))
    .sort((a, b) => b.delta - a.delta)
    .slice(0, poolSize);
  const threads: ReadyMessage['poolThreads'] = [];
  for (const { tid, delta } of busiest) {
    if (delta <= 0) continue;
    execFileSync('taskset', ['-p', '-c', String(cpu), String(tid)], { stdio: 'ignore' });
    execFileSync('renice', ['-n', '19', '-p', String(tid)], { stdio: 'ignore' });
    threads.push({ tid, cpus: threadCpus(tid), nice: threadNice(tid) });
  }
  if (threads.length !== poolSize) notes.push(`found ${threads.length} of ${poolSize} libuv pool threads`);
  return threads;
}

function threadCpuTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const fields = statFields(`/proc/self/task/${tid}/stat`);
    ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

/** Fields of a /proc stat file after the `(comm)` field: index 0 is `state`, 11 `utime`, 12 `stime`, 16 `nice`. */
function statFields(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

function threadCpus(tid: number): string {
  const status = readFileSync(`/proc/self/task/${tid}/status`, 'utf8');
  return /Cpus_allowed_list:\s*(\S+)/.exec(status)?.[1] ?? '?';
}

function threadNice(tid: number): number {
  return Number(statFields(`/proc/self/task/${tid}/stat`)[16]);
}

main().catch((error: unknown) => {
  console.error('[bench server] failed to start:', error);
  process.exit(1);
});
