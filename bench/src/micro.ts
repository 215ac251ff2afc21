// Micro-benchmark of the guards and of signing and verifying, run by the runner as `taskset -c 1 node micro.js` (next
// to run.js in the compiled bench). Prints one JSON line: { rows: MicroRow[] }. Timing and statistics are tinybench's;
// setting: BENCH_MICRO_MS (time budget per operation).
import 'reflect-metadata';
import { createHmac, createPrivateKey, createPublicKey, createSecretKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { ExpressAdapter } from '@nestjs/platform-express';
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
import { Bench } from 'tinybench';
import { AllowAllGuard, BenchAppModule, BenchController, PlainUserLookup, TutorialJwtGuard } from './app.js';
import { HttpExecutionContext } from './http-execution-context.js';
import { DISTINCT_TOKENS, UNCACHED_VERIFICATION_OPERATION, VERIFICATION_FLOOR_OPERATION } from './micro-operations.js';
import { ACCESS_SECRET, REFRESH_SECRET, TUTORIAL_SECRET } from './shared.js';
import { accessSecretKey, hmacAndDecode } from './verification-floor.js';

export interface MicroRow {
  group: string;
  operation: string;
  /** Nanoseconds per call: tinybench's median over samples (each sample the mean of a batch of calls). */
  nsPerOp: number;
  /** Median absolute deviation of the samples, in nanoseconds per call. */
  madNs: number;
  /** Samples tinybench took (after its warm-up). */
  samples: number;
}

/** tinybench's time budget per operation; the warm-up gets half of it. */
const MEASURE_MS = Number(process.env.BENCH_MICRO_MS ?? 400);
/** At least this many samples per operation, also for slow ones (an RSA signature is ~1 ms, 100 calls a sample). */
const MIN_SAMPLES = 10;
/**
 * Calls timed together as one sample. Many operations here take well under a microsecond, where one timer read per
 * call (tinybench's default) would measure mostly the timer; per call the reported numbers divide by this.
 */
const CALLS_PER_SAMPLE = 100;
/** Fresh requests per sample for the Express-shaped rows: each request is used once, as in a server. */
const FRESH_REQUESTS_PER_SAMPLE = 20_000;

/** One operation to measure: `sample()` performs `calls` calls of it. */
interface MicroTask {
  operation: string;
  calls: number;
  sample: () => void;
  /** Untimed, before every sample (e.g. building the next batch of fresh requests). */
  beforeEach?: () => void;
  /** Untimed, before the warm-up and before the measured phase. */
  beforeAll?: () => Promise<void> | void;
}

/** Keeps results observable, so V8 cannot drop the measured work as dead code. */
let sink: unknown;

/** {@link CALLS_PER_SAMPLE} calls of `fn(i)` per sample; `i` keeps counting across samples (to cycle token pools). */
function repeated(operation: string, fn: (i: number) => unknown, beforeAll?: () => Promise<void>): MicroTask {
  let i = 0;
  return {
    operation,
    calls: CALLS_PER_SAMPLE,
    beforeAll,
    sample: () => {
      for (let n = 0; n < CALLS_PER_SAMPLE; n += 1) sink = fn(i++);
    },
  };
}

/** `fn` once on each of {@link FRESH_REQUESTS_PER_SAMPLE} requests from `build`, built before the sample (untimed). */
function onFreshRequests(
  operation: string,
  build: (count: number) => Record<string, unknown>[],
  fn: (request: Record<string, unknown>) => unknown,
): MicroTask {
  let requests: Record<string, unknown>[] = [];
  return {
    operation,
    calls: FRESH_REQUESTS_PER_SAMPLE,
    beforeEach: () => {
      requests = build(FRESH_REQUESTS_PER_SAMPLE);
    },
    sample: () => {
      for (const request of requests) sink = fn(request);
    },
  };
}

const rows: MicroRow[] = [];

/** Runs the tasks of one group with tinybench (one after the other, each warmed up first) and records a row each. */
async function measure(group: string, tasks: MicroTask[]): Promise<void> {
  const bench = new Bench({
    name: group,
    time: MEASURE_MS,
    warmupTime: Math.max(100, MEASURE_MS / 2),
    iterations: MIN_SAMPLES,
    warmupIterations: 2,
    timestampProvider: 'hrtimeNow',
    throws: true,
  });
  for (const task of tasks) {
    bench.add(task.operation, task.sample, { async: false, beforeEach: task.beforeEach, beforeAll: task.beforeAll });
  }
  await bench.run();
  for (const task of tasks) {
    const result = bench.getTask(task.operation)?.result;
    if (result?.state !== 'completed') throw new Error(`micro-benchmark ${group} / ${task.operation}: ${result?.state ?? 'missing'}`);
    const perCall = (ms: number) => (ms * 1e6) / task.calls;
    rows.push({ group, operation: task.operation, nsPerOp: perCall(result.latency.p50), madNs: perCall(result.latency.mad), samples: result.latency.samplesCount });
  }
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
 * The guards alone, called the way Nest calls them (a fresh request object and execution context per call), so their
 * own cost can be told apart from HTTP and framework costs that any route pays.
 */
async function guards(): Promise<void> {
  const group = 'guards, in-process (HS256)';
  const handler = BenchController.prototype.ours as (...args: unknown[]) => unknown;
  const contextOf = (request: unknown) => new HttpExecutionContext(request, BenchController, handler);
  const contextFor = (authorization: string) => contextOf({ headers: { authorization } });
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
    const rewarmSessions = async () => {
      for (const h of headers.slice(0, 50)) await guard.canActivate(contextFor(h));
    };
    const tasks: MicroTask[] = [
      repeated(`${label}.canActivate, 50 tokens (cache hits)`, (i) => guard.canActivate(contextFor(headers[i % 50]!)), rewarmSessions),
    ];
    if (!sessionCheck) {
      tasks.push(repeated(`${label}.canActivate, ${DISTINCT_TOKENS} distinct tokens (cache misses)`, (i) => guard.canActivate(contextFor(headers[i % DISTINCT_TOKENS]!))));
      // The same guards on requests shaped like Express's (one hidden class per request), each request used once.
      const reserved = (count: number) => expressShapedRequests(count, headers.slice(0, 50), true);
      const unreserved = (count: number) => expressShapedRequests(count, headers.slice(0, 50), false);
      const allowAllGuard = new AllowAllGuard();
      // Both include what the bench route does around the guard: Nest's context object and the handler's read of request.user.
      const userOf = (request: Record<string, unknown>) => (request.user as { sub?: string } | undefined)?.sub;
      const guardThenRead = (request: Record<string, unknown>) => {
        guard.canActivate(contextOf(request));
        return userOf(request);
      };
      // What the reservation moves: adding request.user after Express's prototype swap, and before it (on a fresh request).
      const payload = { sub: '1', userId: 1, username: 'user1' };
      const fresh = (count: number) => Array.from({ length: count }, (_, i) => freshIncomingMessage(headers[i % 50]!));
      const tutorial = new TutorialJwtGuard(app.get(JwtService));
      const tutorialToken = `Bearer ${app.get(JwtService).sign({ sub: '1', username: 'user1' })}`;
      tasks.push(
        onFreshRequests('guard that returns true, on Express-shaped requests', reserved, (request) => {
          allowAllGuard.canActivate(contextOf(request));
          return userOf(request);
        }),
        onFreshRequests('AccessTokenGuard.canActivate, on Express-shaped requests (50 tokens, cache hits; request.user reserved, the default)', reserved, guardThenRead),
        onFreshRequests('AccessTokenGuard.canActivate, on Express-shaped requests (same, reserveRequestUserProperty: false)', unreserved, guardThenRead),
        onFreshRequests('only adding request.user to Express-shaped requests (what the reservation avoids)', unreserved, (request) => {
          request.user = payload;
        }),
        onFreshRequests('reserving request.user on a fresh Node request, before Express (what it costs instead)', fresh, (request) => {
          request.user = undefined;
        }),
        repeated('tutorial guard canActivate (JwtService.verify, string secret)', () => tutorial.canActivate(contextFor(tutorialToken))),
      );
    }
    await measure(group, tasks);
    await app.close();
  }
}

/**
 * What no HS256 verification can go below, on the same tokens the uncached row cycles through: the HMAC over the
 * signing input (prepared key) and decoding the payload, with no checks at all.
 */
function uncachedVerificationFloor(tokens: string[]): MicroTask {
  const key = accessSecretKey();
  return repeated(VERIFICATION_FLOOR_OPERATION, (i) => hmacAndDecode(tokens[i % tokens.length]!, key));
}

async function main(): Promise<void> {
  await guards();
  const claims = { userId: 42, username: 'alice' };
  const sessionId = '0f8fad5b-d9cb-469f-a165-70867728950e';

  for (const algorithm of ['HS256', 'RS256', 'ES256', 'EdDSA'] as const) {
    const service = await dualTokenService(algorithm);
    const access = service.signAccessToken(claims, sessionId).token;
    const distinct = Array.from({ length: DISTINCT_TOKENS }, (_, i) => service.signAccessToken({ userId: i, username: `u${i}` }, `${sessionId}-${i}`).token);
    const expires = new Date(Date.now() + 3_600_000);
    const refresh = Array.from({ length: 64 }, (_, i) => service.signRefreshToken({ userId: i, sessionId: `${sessionId}-${i}`, generation: i, expiresAt: expires }));
    await measure(`DualTokenService ${algorithm}`, [
      repeated('signAccessToken', () => service.signAccessToken(claims, sessionId)),
      repeated('signRefreshToken', (i) => service.signRefreshToken({ userId: 42, sessionId, generation: i & 1023, expiresAt: expires })),
      repeated('verifyAccessToken, same token (cache hit)', () => service.verifyAccessToken(access)),
      repeated(UNCACHED_VERIFICATION_OPERATION, (i) => service.verifyAccessToken(distinct[i % DISTINCT_TOKENS]!)),
      repeated('verifyRefreshToken (never cached)', (i) => service.verifyRefreshToken(refresh[i & 63]!)),
      ...(algorithm === 'HS256' ? [uncachedVerificationFloor(distinct)] : []),
    ]);
  }

  // jsonwebtoken, as used by @nestjs/jwt and passport-jwt: the key is parsed on every call unless it is a KeyObject.
  const payload = { sub: '42', username: 'alice' };
  const hsToken = jwt.sign(payload, TUTORIAL_SECRET, { algorithm: 'HS256', expiresIn: 3600 });
  const secretKey: KeyObject = createSecretKey(Buffer.from(TUTORIAL_SECRET));
  await measure('jsonwebtoken HS256', [
    repeated('sign, string secret', () => jwt.sign(payload, TUTORIAL_SECRET, { algorithm: 'HS256', expiresIn: 3600 })),
    repeated('sign, KeyObject', () => jwt.sign(payload, secretKey, { algorithm: 'HS256', expiresIn: 3600 })),
    repeated('verify, string secret', () => jwt.verify(hsToken, TUTORIAL_SECRET, { algorithms: ['HS256'] })),
    repeated('verify, KeyObject', () => jwt.verify(hsToken, secretKey, { algorithms: ['HS256'] })),
  ]);
  for (const algorithm of ['RS256', 'ES256'] as const) {
    const pair = keyPair(algorithm);
    const privateObject = createPrivateKey(pair.privateKey);
    const publicObject = createPublicKey(pair.publicKey);
    const token = jwt.sign(payload, pair.privateKey, { algorithm, expiresIn: 3600 });
    await measure(`jsonwebtoken ${algorithm}`, [
      repeated('sign, PEM string', () => jwt.sign(payload, pair.privateKey, { algorithm, expiresIn: 3600 })),
      repeated('sign, KeyObject', () => jwt.sign(payload, privateObject, { algorithm, expiresIn: 3600 })),
      repeated('verify, PEM string', () => jwt.verify(token, pair.publicKey, { algorithms: [algorithm] })),
      repeated('verify, KeyObject', () => jwt.verify(token, publicObject, { algorithms: [algorithm] })),
    ]);
  }

  // Floor: one HMAC-SHA256 over a token's signing input with a prepared key.
  const input = hsToken.slice(0, hsToken.lastIndexOf('.'));
  await measure('reference', [repeated('bare HMAC-SHA256 of a token (KeyObject)', () => createHmac('sha256', secretKey).update(input).digest('base64url'))]);

  if (sink === Symbol.for('never')) console.log(sink);
  process.stdout.write(`${JSON.stringify({ rows })}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error('[bench micro] failed:', error);
  process.exit(1);
});
