import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import {
  DualTokenAuthModule,
  type DualTokenAuthEvent,
  type DualTokenAuthEventListener,
  type DualTokenAuthOptions,
  type TokenPairResponse,
} from 'nestjs-dual-token-auth';
import request from 'supertest';
import { decodeJwt } from './harness/forge-jwt.js';
import { GuardedController, HTTP_ADAPTERS, type HttpAdapterFactory, authOptions, createScenarioApp } from './harness/scenario-app.js';

const USER_AGENT = 'auth-events-e2e/1.0';
const LOOPBACK = expect.stringMatching(/^(::ffff:)?127\.0\.0\.1$/);

describe.each(HTTP_ADAPTERS)('audit events (onEvent) on %s', (_platform, createAdapter: HttpAdapterFactory) => {
  const running: INestApplication[] = [];
  /** Every token the apps issued and every password sent in this test, to prove events never contain them. */
  let secrets: string[] = [];

  async function start(overrides: Partial<DualTokenAuthOptions> = {}, listener?: DualTokenAuthEventListener) {
    const events: DualTokenAuthEvent[] = [];
    const app = await createScenarioApp(createAdapter, {
      imports: [DualTokenAuthModule.forRoot(authOptions({ onEvent: listener ?? ((event) => void events.push(event)), ...overrides }))],
      controllers: [GuardedController],
    });
    running.push(app);
    return { app, events };
  }

  async function login(app: INestApplication, username: string, password: string) {
    secrets.push(password);
    const response = await request(app.getHttpServer()).post('/user/login').set('user-agent', USER_AGENT).send({ username, password });
    if (response.status === 201) remember(response.body);
    return response;
  }

  async function refresh(app: INestApplication, refreshToken: string) {
    const response = await request(app.getHttpServer()).post('/user/refresh').send({ refresh_token: refreshToken });
    if (response.status === 201) remember(response.body);
    return response;
  }

  function remember(pair: TokenPairResponse): void {
    for (const token of [pair.access_token, pair.refresh_token]) {
      secrets.push(token, token.split('.')[2]);
    }
  }

  const ofType = <T extends DualTokenAuthEvent['type']>(events: DualTokenAuthEvent[], type: T) =>
    events.filter((event): event is Extract<DualTokenAuthEvent, { type: T }> => event.type === type);

  /** No event, serialised the way an audit log would store it, contains a token, a signature or a password. */
  function expectNoSecretsIn(events: DualTokenAuthEvent[]): void {
    const serialised = JSON.stringify(events);
    expect(secrets.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(serialised).not.toContain(secret);
  }

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
    secrets = [];
  });

  it('login.succeeded and login.failed (unknown user and wrong password alike) with ip and user agent', async () => {
    const { app, events } = await start();
    const success = await login(app, 'alice', 'alice-password');
    expect(success.status).toBe(201);
    expect((await login(app, 'alice', 'wrong-password-1')).status).toBe(401);
    expect((await login(app, 'mallory', 'mallory-password')).status).toBe(401);

    expect(events).toEqual([
      {
        type: 'login.succeeded',
        at: expect.any(Date),
        userId: '1',
        sessionId: decodeJwt(success.body.refresh_token).payload.sid,
        ip: LOOPBACK,
        userAgent: USER_AGENT,
      },
      { type: 'login.failed', at: expect.any(Date), username: 'alice', ip: LOOPBACK, userAgent: USER_AGENT },
      { type: 'login.failed', at: expect.any(Date), username: 'mallory', ip: LOOPBACK, userAgent: USER_AGENT },
    ]);
    expectNoSecretsIn(events);
  });

  it('login.throttled once the failure limit is reached, with the wait the client was told', async () => {
    const { app, events } = await start({ rateLimit: { maxFailuresPerUsernameAndIp: 2 } });
    expect((await login(app, 'bob', 'guess-1')).status).toBe(401);
    expect((await login(app, 'bob', 'guess-2')).status).toBe(401);
    const throttled = await login(app, 'bob', 'bob-password');
    expect(throttled.status).toBe(429);

    const [event] = ofType(events, 'login.throttled');
    expect(event).toEqual({ type: 'login.throttled', at: expect.any(Date), username: 'bob', ip: LOOPBACK, retryAfterSeconds: expect.any(Number) });
    expect(event.retryAfterSeconds).toBeGreaterThan(0);
    expect(String(event.retryAfterSeconds)).toBe(throttled.headers['retry-after']);
    // A throttled attempt is not checked, so it is not a failed login (and not a success).
    expect(events.map((e) => e.type)).toEqual(['login.failed', 'login.failed', 'login.throttled']);
    expectNoSecretsIn(events);
  });

  it('refresh.throttled over the per-IP refresh limit', async () => {
    const { app, events } = await start({ rateLimit: { maxRefreshesPerIpPerMinute: 1 } });
    const pair = (await login(app, 'alice', 'alice-password')).body as TokenPairResponse;
    expect((await refresh(app, pair.refresh_token)).status).toBe(201);
    const throttled = await refresh(app, pair.refresh_token);
    expect(throttled.status).toBe(429);
    expect(ofType(events, 'refresh.throttled')).toEqual([
      { type: 'refresh.throttled', at: expect.any(Date), ip: LOOPBACK, retryAfterSeconds: Number(throttled.headers['retry-after']) },
    ]);
  });

  it('token.refreshed: withinGrace false for a rotation, true when the previous token comes back within the grace window', async () => {
    const { app, events } = await start({ reuseGraceSeconds: 10 });
    const initial = (await login(app, 'alice', 'alice-password')).body as TokenPairResponse;
    const sessionId = decodeJwt(initial.refresh_token).payload.sid;
    expect((await refresh(app, initial.refresh_token)).status).toBe(201);
    expect((await refresh(app, initial.refresh_token)).status).toBe(201);

    expect(ofType(events, 'token.refreshed')).toEqual([
      { type: 'token.refreshed', at: expect.any(Date), userId: '1', sessionId, generation: 1, withinGrace: false },
      { type: 'token.refreshed', at: expect.any(Date), userId: '1', sessionId, generation: 1, withinGrace: true },
    ]);
    expect(ofType(events, 'refresh.reuse-detected')).toEqual([]);
    expectNoSecretsIn(events);
  });

  it('refresh.reuse-detected and session.revoked (reason reuse-detected) when a rotated token comes back with grace 0', async () => {
    const { app, events } = await start({ reuseGraceSeconds: 0 });
    const initial = (await login(app, 'alice', 'alice-password')).body as TokenPairResponse;
    const sessionId = decodeJwt(initial.refresh_token).payload.sid;
    const rotated = (await refresh(app, initial.refresh_token)).body as TokenPairResponse;
    expect((await refresh(app, initial.refresh_token)).status).toBe(401);

    expect(ofType(events, 'refresh.reuse-detected')).toEqual([
      { type: 'refresh.reuse-detected', at: expect.any(Date), userId: '1', sessionId, presentedGeneration: 0, currentGeneration: 1 },
    ]);
    expect(ofType(events, 'session.revoked')).toEqual([
      { type: 'session.revoked', at: expect.any(Date), sessionId, userId: '1', reason: 'reuse-detected' },
    ]);
    expect(ofType(events, 'refresh.rejected')).toEqual([
      { type: 'refresh.rejected', at: expect.any(Date), reason: 'reuse-detected', sessionId },
    ]);
    // The family is dead: the rotated token is now rejected as revoked.
    expect((await refresh(app, rotated.refresh_token)).status).toBe(401);
    expect(ofType(events, 'refresh.rejected').at(-1)).toMatchObject({ reason: 'revoked', sessionId });
    expectNoSecretsIn(events);
  });

  it('session.revoked with reason logout when the user logs out; refresh.rejected for a garbage token', async () => {
    const { app, events } = await start();
    const pair = (await login(app, 'alice', 'alice-password')).body as TokenPairResponse;
    const sessionId = decodeJwt(pair.refresh_token).payload.sid;
    await request(app.getHttpServer()).post('/user/logout').set('authorization', `Bearer ${pair.access_token}`).expect(200, { revoked: true });
    // A second logout revokes nothing and reports nothing.
    await request(app.getHttpServer()).post('/user/logout').send({ refresh_token: pair.refresh_token }).expect(200, { revoked: false });

    expect(ofType(events, 'session.revoked')).toEqual([
      expect.objectContaining({ type: 'session.revoked', at: expect.any(Date), sessionId, reason: 'logout' }),
    ]);
    expect((await refresh(app, 'not-a-token')).status).toBe(401);
    expect(ofType(events, 'refresh.rejected')).toEqual([{ type: 'refresh.rejected', at: expect.any(Date), reason: 'malformed' }]);
    expectNoSecretsIn(events);
  });

  it('a whole session’s worth of events never contains an issued token, a signature or a password', async () => {
    const { app, events } = await start({ reuseGraceSeconds: 0, rateLimit: { maxFailuresPerUsernameAndIp: 2 } });
    const first = (await login(app, 'alice', 'alice-password')).body as TokenPairResponse;
    const second = (await refresh(app, first.refresh_token)).body as TokenPairResponse;
    await request(app.getHttpServer()).get('/guarded').set('authorization', `Bearer ${second.access_token}`).expect(200);
    await refresh(app, first.refresh_token); // reuse
    await login(app, 'bob', 'bob-wrong-1');
    await login(app, 'bob', 'bob-wrong-2');
    await login(app, 'bob', 'bob-password'); // throttled
    const third = (await login(app, 'alice', 'alice-password')).body as TokenPairResponse;
    await request(app.getHttpServer()).post('/user/logout').send({ refresh_token: third.refresh_token }).expect(200);

    expect(new Set(events.map((event) => event.type))).toEqual(
      new Set(['login.succeeded', 'token.refreshed', 'refresh.reuse-detected', 'session.revoked', 'refresh.rejected', 'login.failed', 'login.throttled']),
    );
    expectNoSecretsIn(events);
  });

  it('a listener that throws, rejects or never settles does not break login, refresh or logout', async () => {
    for (const listener of [
      () => {
        throw new Error('audit sink is down');
      },
      () => Promise.reject(new Error('audit sink is down')),
      () => new Promise<void>(() => undefined),
    ] as DualTokenAuthEventListener[]) {
      const { app } = await start({}, listener);
      const loggedIn = await login(app, 'alice', 'alice-password');
      expect(loggedIn.status).toBe(201);
      expect((await login(app, 'alice', 'wrong-password-1')).status).toBe(401);
      const refreshed = await refresh(app, loggedIn.body.refresh_token);
      expect(refreshed.status).toBe(201);
      await request(app.getHttpServer()).get('/guarded').set('authorization', `Bearer ${refreshed.body.access_token}`).expect(200);
      await request(app.getHttpServer()).post('/user/logout').send({ refresh_token: refreshed.body.refresh_token }).expect(200, { revoked: true });
    }
  });
});
