// Micro-benchmark of signing and verifying, run by the runner as `taskset -c 1 node bench/dist/micro.js`.
// Prints one JSON line: { rows: MicroRow[] }. Settings: BENCH_MICRO_MS (time per measurement), BENCH_ROUNDS.
import 'reflect-metadata';
import { createHmac, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { CanActivate } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { GuardsConsumer } from '@nestjs/core/guards/guards-consumer.js';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { JwtService } from '@nestjs/jwt';
import { ExpressAdapter } from '@nestjs/platform-express';
import { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';
import {
  AccessTokenGuard,
  DualTokenAuthModule,
  DualTokenService,
  InMemorySessionStore,
  SessionService,
  type DualTokenAuthOptions,
  type JwtAlgorithm,
} from 'nestjs-dual-token-auth';
import { AllowAllGuard, BenchAppModule, BenchController, PlainUserLookup, TutorialJwtGuard } from './app.js';
import { ACCESS_SECRET, REFRESH_SECRET, TUTORIAL_SECRET } from './shared.js';
import { median } from './stats.js';

export interface MicroRow {
  group: string;
  operation: string;
  /** Median nanoseconds per operation over the rounds. */
  nsPerOp: number;
  minNs: number;
  maxNs: number;
}

const MEASURE_MS = Number(process.env.BENCH_MICRO_MS ?? 400);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 5));
/** Distinct access tokens cycled for the uncached verify: more than the verifier cache (1,000) holds. */
const DISTINCT_TOKENS = 2000;

/** Runs `fn` for about MEASURE_MS, `ROUNDS` times after a warm-up; ns per call of each round. */
function measure(fn: (i: number) => unknown): number[] {
  let sink: unknown;
  const runFor = (ms: number): number => {
    let calls = 0;
    let batch = 16;
    const start = process.hrtime.bigint();
    const limit = BigInt(ms) * 1_000_000n;
    let elapsed = 0n;
    while (elapsed < limit) {
      for (let i = 0; i < batch; i += 1) sink = fn(calls + i);
      calls += batch;
      elapsed = process.hrtime.bigint() - start;
      if (batch < 4096) batch *= 2;
    }
    return Number(elapsed) / calls;
  };
  runFor(Math.max(100, MEASURE_MS / 2));
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) rounds.push(runFor(MEASURE_MS));
  if (sink === Symbol.for('never')) console.log(sink);
  return rounds;
}

/** Like {@link measure} for an async operation, awaited one call at a time (microtask hops included). */
async function measureAsync(fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const runFor = async (ms: number): Promise<number> => {
    let calls = 0;
    const start = process.hrtime.bigint();
    const limit = BigInt(ms) * 1_000_000n;
    let elapsed = 0n;
    while (elapsed < limit) {
      for (let i = 0; i < 256; i += 1) await fn(calls + i);
      calls += 256;
      elapsed = process.hrtime.bigint() - start;
    }
    return Number(elapsed) / calls;
  };
  await runFor(Math.max(100, MEASURE_MS / 2));
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) rounds.push(await runFor(MEASURE_MS));
  return rounds;
}

const rows: MicroRow[] = [];
async function recordAsync(group: string, operation: string, fn: (i: number) => Promise<unknown>): Promise<void> {
  const rounds = await measureAsync(fn);
  rows.push({ group, operation, nsPerOp: median(rounds), minNs: Math.min(...rounds), maxNs: Math.max(...rounds) });
}

function record(group: string, operation: string, fn: (i: number) => unknown): void {
  const rounds = measure(fn);
  rows.push({ group, operation, nsPerOp: median(rounds), minNs: Math.min(...rounds), maxNs: Math.max(...rounds) });
}

/** The request prototype of one Express app, as Express sets it on every request it handles. */
const expressRequestPrototype = (new ExpressAdapter().getInstance() as { request: object }).request;

/**
 * Requests built the way Express 5 builds them: an `IncomingMessage` whose prototype is swapped for the app's request
 * prototype (`Object.setPrototypeOf`), then the router's properties. The swap leaves every request with a hidden class
 * of its own, so V8's inline caches miss on each property a guard reads or adds; plain `{ headers }` objects share
 * one hidden class and hide that cost, which is most of what a guard costs inside a real Express server.
 * `reserveUser` adds `user: undefined` before the swap, as the module does on Express (`reserveRequestUserProperty`).
 */
function expressShapedRequests(count: number, authorizations: string[], reserveUser: boolean): Record<string, unknown>[] {
  const requests: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const request = freshIncomingMessage(authorizations[i % authorizations.length]!);
    if (reserveUser) request.user = undefined;
    Object.setPrototypeOf(request, expressRequestPrototype);
    Object.assign(request, { res: {}, next: undefined, baseUrl: '', originalUrl: '/ours', params: {}, route: {} });
    requests.push(request);
  }
  return requests;
}

/** A Node request as the HTTP server hands it to its 'request' listeners, before any framework touches it. */
function freshIncomingMessage(authorization: string): Record<string, unknown> {
  const request = new IncomingMessage(undefined as never) as unknown as Record<string, unknown>;
  request.url = '/ours';
  request.method = 'GET';
  request.headers = { host: 'localhost', authorization };
  return request;
}

/**
 * ns per call of `fn` over batches of fresh requests (each used once, as in a server), median over `ROUNDS` batches
 * after a warm-up batch. Building the batch is not timed.
 */
function recordOnFreshRequests(group: string, operation: string, build: () => Record<string, unknown>[], fn: (request: Record<string, unknown>) => unknown): void {
  const runBatch = (): number => {
    const requests = build();
    const start = process.hrtime.bigint();
    for (const request of requests) fn(request);
    return Number(process.hrtime.bigint() - start) / requests.length;
  };
  runBatch();
  const rounds: number[] = [];
  for (let r = 0; r < ROUNDS; r += 1) rounds.push(runBatch());
  rows.push({ group, operation, nsPerOp: median(rounds), minNs: Math.min(...rounds), maxNs: Math.max(...rounds) });
}

interface KeyPairPem {
  privateKey: string;
  publicKey: string;
}

function keyPair(algorithm: JwtAlgorithm): KeyPairPem {
  const pair = algorithm.startsWith('RS')
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : algorithm.startsWith('ES')
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519');
  return {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    publicKey: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}

async function dualTokenService(algorithm: JwtAlgorithm): Promise<DualTokenService> {
  const hmac = algorithm.startsWith('HS');
  const options: DualTokenAuthOptions = {
    algorithm,
    accessToken: hmac ? { secret: ACCESS_SECRET } : { ...keyPair(algorithm) },
    refreshToken: hmac ? { secret: REFRESH_SECRET } : { ...keyPair(algorithm) },
    userLookup: new PlainUserLookup(),
    rateLimit: false,
  };
  const context = await NestFactory.createApplicationContext(DualTokenAuthModule.forRoot({ ...options, registerController: false }), {
    logger: ['error'],
  });
  return context.get(DualTokenService);
}

/**
 * The guards alone, called the way Nest calls them (a fresh request object and ExecutionContextHost per call), so
 * their own cost can be told apart from HTTP and framework costs that any route pays.
 */
async function guards(): Promise<void> {
  const group = 'guards, in-process (HS256)';
  const handler = BenchController.prototype.ours as (...args: unknown[]) => unknown;
  const contextFor = (authorization: string) => new ExecutionContextHost([{ headers: { authorization } }, {}, () => undefined], BenchController, handler);
  for (const sessionCheck of [false, true]) {
    const app = await NestFactory.createApplicationContext(
      BenchAppModule.register({ adapter: 'express', sessionCheck, passport: false, tokenPool: 0 }, { userLookup: new PlainUserLookup(), sessionStore: new InMemorySessionStore() }),
      { logger: ['error'] },
    );
    const sessions = app.get(SessionService);
    const tokens: string[] = [];
    for (let i = 1; i <= DISTINCT_TOKENS; i += 1) tokens.push((await sessions.startSession({ userId: i, username: `user${i}` })).access_token);
    const guard = app.get(AccessTokenGuard);
    const headers = tokens.map((t) => `Bearer ${t}`);
    const label = sessionCheck ? 'AccessTokenGuard + session check' : 'AccessTokenGuard';
    // Session answers are fresh for 5 s; re-warm them so the cached (synchronous) path is what gets measured.
    for (const h of headers.slice(0, 50)) await guard.canActivate(contextFor(h));
    record(group, `${label}.canActivate, 50 tokens (cache hits)`, (i) => guard.canActivate(contextFor(headers[i % 50]!)));
    if (!sessionCheck) {
      record(group, `${label}.canActivate, ${DISTINCT_TOKENS} distinct tokens (cache misses)`, (i) => guard.canActivate(contextFor(headers[i % DISTINCT_TOKENS]!)));
      const consumer = new GuardsConsumer();
      const allowAll: CanActivate[] = [new AllowAllGuard()];
      const ours: CanActivate[] = [guard];
      const args = (h: string) => [{ headers: { authorization: h } }, {}, () => undefined];
      await recordAsync(group, 'Nest GuardsConsumer.tryActivate, guard that returns true (awaited)', () => consumer.tryActivate(allowAll, args(headers[0]!), new BenchController(), handler, 'http'));
      await recordAsync(group, 'Nest GuardsConsumer.tryActivate, AccessTokenGuard (awaited)', (i) => consumer.tryActivate(ours, args(headers[i % 50]!), new BenchController(), handler, 'http'));
      // The same guards on requests shaped like Express's (one hidden class per request), each request used once.
      const reserved = () => expressShapedRequests(20_000, headers.slice(0, 50), true);
      const unreserved = () => expressShapedRequests(20_000, headers.slice(0, 50), false);
      const contextOf = (request: Record<string, unknown>) => new ExecutionContextHost([request, {}, () => undefined], BenchController, handler);
      const allowAllGuard = new AllowAllGuard();
      // Both include what the bench route does around the guard: Nest's context object and the handler's read of request.user.
      const userOf = (request: Record<string, unknown>) => (request.user as { sub?: string } | undefined)?.sub;
      const guardThenRead = (request: Record<string, unknown>) => {
        guard.canActivate(contextOf(request));
        return userOf(request);
      };
      recordOnFreshRequests(group, 'guard that returns true, on Express-shaped requests', reserved, (request) => {
        allowAllGuard.canActivate(contextOf(request));
        return userOf(request);
      });
      recordOnFreshRequests(group, 'AccessTokenGuard.canActivate, on Express-shaped requests (50 tokens, cache hits; request.user reserved, the default)', reserved, guardThenRead);
      recordOnFreshRequests(group, 'AccessTokenGuard.canActivate, on Express-shaped requests (same, reserveRequestUserProperty: false)', unreserved, guardThenRead);
      // What the reservation moves: adding request.user after Express's prototype swap, and before it (on a fresh request).
      const payload = { sub: '1', userId: 1, username: 'user1' };
      recordOnFreshRequests(group, 'only adding request.user to Express-shaped requests (what the reservation avoids)', unreserved, (request) => {
        request.user = payload;
      });
      const fresh = () => Array.from({ length: 20_000 }, (_, i) => freshIncomingMessage(headers[i % 50]!));
      recordOnFreshRequests(group, 'reserving request.user on a fresh Node request, before Express (what it costs instead)', fresh, (request) => {
        request.user = undefined;
      });
      const tutorial = new TutorialJwtGuard(app.get(JwtService));
      const tutorialToken = `Bearer ${app.get(JwtService).sign({ sub: '1', username: 'user1' })}`;
      record(group, 'tutorial guard canActivate (JwtService.verify, string secret)', () => tutorial.canActivate(contextFor(tutorialToken)));
    }
    await app.close();
  }
}

async function main(): Promise<void> {
  await guards();
  const claims = { userId: 42, username: 'alice' };
  const sessionId = '0f8fad5b-d9cb-469f-a165-70867728950e';

  for (const algorithm of ['HS256', 'RS256', 'ES256', 'EdDSA'] as const) {
    const service = await dualTokenService(algorithm);
    const group = `DualTokenService ${algorithm}`;
    const access = service.signAccessToken(claims, sessionId).token;
    const distinct = Array.from({ length: DISTINCT_TOKENS }, (_, i) => service.signAccessToken({ userId: i, username: `u${i}` }, `${sessionId}-${i}`).token);
    const expires = new Date(Date.now() + 3_600_000);
    const refresh = Array.from({ length: 64 }, (_, i) => service.signRefreshToken(i, `${sessionId}-${i}`, i, expires));
    record(group, 'signAccessToken', () => service.signAccessToken(claims, sessionId));
    record(group, 'signRefreshToken', (i) => service.signRefreshToken(42, sessionId, i & 1023, expires));
    record(group, 'verifyAccessToken, same token (cache hit)', () => service.verifyAccessToken(access));
    record(group, `verifyAccessToken, ${DISTINCT_TOKENS} distinct tokens (cache miss)`, (i) => service.verifyAccessToken(distinct[i % DISTINCT_TOKENS]!));
    record(group, 'verifyRefreshToken (never cached)', (i) => service.verifyRefreshToken(refresh[i & 63]!));
  }

  // jsonwebtoken, as used by @nestjs/jwt and passport-jwt: the key is parsed on every call unless it is a KeyObject.
  const payload = { sub: '42', username: 'alice' };
  const hsToken = jwt.sign(payload, TUTORIAL_SECRET, { algorithm: 'HS256', expiresIn: 3600 });
  const secretKey: KeyObject = createSecretKey(Buffer.from(TUTORIAL_SECRET));
  record('jsonwebtoken HS256', 'sign, string secret', () => jwt.sign(payload, TUTORIAL_SECRET, { algorithm: 'HS256', expiresIn: 3600 }));
  record('jsonwebtoken HS256', 'sign, KeyObject', () => jwt.sign(payload, secretKey, { algorithm: 'HS256', expiresIn: 3600 }));
  record('jsonwebtoken HS256', 'verify, string secret', () => jwt.verify(hsToken, TUTORIAL_SECRET, { algorithms: ['HS256'] }));
  record('jsonwebtoken HS256', 'verify, KeyObject', () => jwt.verify(hsToken, secretKey, { algorithms: ['HS256'] }));
  for (const algorithm of ['RS256', 'ES256'] as const) {
    const pair = keyPair(algorithm);
    const privateObject = createPrivateKey(pair.privateKey);
    const publicObject = createPublicKey(pair.publicKey);
    const token = jwt.sign(payload, pair.privateKey, { algorithm, expiresIn: 3600 });
    const group = `jsonwebtoken ${algorithm}`;
    record(group, 'sign, PEM string', () => jwt.sign(payload, pair.privateKey, { algorithm, expiresIn: 3600 }));
    record(group, 'sign, KeyObject', () => jwt.sign(payload, privateObject, { algorithm, expiresIn: 3600 }));
    record(group, 'verify, PEM string', () => jwt.verify(token, pair.publicKey, { algorithms: [algorithm] }));
    record(group, 'verify, KeyObject', () => jwt.verify(token, publicObject, { algorithms: [algorithm] }));
  }

  // Floor: one HMAC-SHA256 over a token's signing input with a prepared key.
  const input = hsToken.slice(0, hsToken.lastIndexOf('.'));
  record('reference', 'bare HMAC-SHA256 of a token (KeyObject)', () => createHmac('sha256', secretKey).update(input).digest('base64url'));

  process.stdout.write(`${JSON.stringify({ rows })}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error('[bench micro] failed:', error);
  process.exit(1);
});
