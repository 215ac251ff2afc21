import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { DualTokenAuthModule, DualTokenService, RequireRecentLogin, type TokenPairResponse } from 'nestjs-dual-token-auth';
import request from 'supertest';
import { decodeJwt, nowSeconds } from './harness/forge-jwt.js';
import { HTTP_ADAPTERS, type HttpAdapterFactory, authOptions, createScenarioApp, loginAs } from './harness/scenario-app.js';

// Step-up: auth_time in the tokens, @RequireRecentLogin's RFC 9470 challenge, and POST /user/reauthenticate.

@Controller('account')
class AccountController {
  @RequireRecentLogin('5m')
  @Get('sensitive')
  sensitive(): { ok: true } {
    return { ok: true };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(HTTP_ADAPTERS)('step-up authentication on %s', (_name, createAdapter: HttpAdapterFactory) => {
  let app: INestApplication;

  beforeAll(async () => {
    app = await createScenarioApp(createAdapter, {
      imports: [DualTokenAuthModule.forRoot(authOptions({ rateLimit: { maxFailuresPerUsernameAndIp: 3 } }))],
      controllers: [AccountController],
    });
  });
  afterAll(() => app.close());

  const http = () => request(app.getHttpServer());
  /** An access token of the session `sid`, as if the password had been proved `ageSeconds` ago. */
  const staleToken = (sid: string, ageSeconds: number, userId = 1, username = 'alice') =>
    app.get(DualTokenService).signAccessToken({ userId, username }, sid, Date.now(), nowSeconds() - ageSeconds).token;

  it('login sets auth_time; refresh keeps it', async () => {
    const before = nowSeconds();
    const login = await loginAs(app);
    const authTime = decodeJwt(login.access_token).payload.auth_time as number;
    expect(authTime).toBeGreaterThanOrEqual(before);
    expect(authTime).toBeLessThanOrEqual(nowSeconds());
    await sleep(1100);
    const refreshed = (await http().post('/user/refresh').send({ refresh_token: login.refresh_token }).expect(201)).body as TokenPairResponse;
    const payload = decodeJwt(refreshed.access_token).payload;
    expect(payload.iat).toBeGreaterThan(authTime);
    expect(payload.auth_time).toBe(authTime);
    expect((await http().get('/account/sensitive').set('Authorization', `Bearer ${refreshed.access_token}`)).status).toBe(200);
  });

  it('@RequireRecentLogin answers 401 with the RFC 9470 challenge when the login is older', async () => {
    const { access_token } = await loginAs(app);
    const old = staleToken(decodeJwt(access_token).payload.sid, 301);
    const response = await http().get('/account/sensitive').set('Authorization', `Bearer ${old}`);
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", max_age=300');
    expect(response.body).toEqual({ statusCode: 401, message: 'Please confirm your password to continue', error: 'Unauthorized' });
    expect((await http().get('/account/sensitive').set('Authorization', `Bearer ${staleToken(decodeJwt(access_token).payload.sid, 290)}`)).status).toBe(200);
  });

  it('POST /user/reauthenticate renews auth_time in the same session and answers like refresh', async () => {
    const login = await loginAs(app, 'bob');
    const sid = decodeJwt(login.access_token).payload.sid as string;
    const old = staleToken(sid, 3600, 2, 'bob');

    const wrong = await http().post('/user/reauthenticate').set('Authorization', `Bearer ${old}`).send({ password: 'nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({ statusCode: 401, message: 'Invalid username or password', error: 'Unauthorized' });

    const renewed = await http().post('/user/reauthenticate').set('Authorization', `Bearer ${old}`).send({ password: 'bob-password' });
    expect(renewed.status).toBe(201);
    expect(renewed.headers['cache-control']).toBe('no-store');
    expect(Object.keys(renewed.body).sort()).toEqual(['access_token', 'expires_in', 'refresh_expires_in', 'refresh_token', 'token_type']);
    const access = decodeJwt(renewed.body.access_token).payload;
    const refresh = decodeJwt(renewed.body.refresh_token).payload;
    expect(access.sid).toBe(sid);
    expect(refresh).toMatchObject({ sid, gen: 1, auth_time: access.auth_time });
    expect(access.auth_time).toBeGreaterThanOrEqual(nowSeconds() - 1);
    expect((await http().get('/account/sensitive').set('Authorization', `Bearer ${renewed.body.access_token}`)).status).toBe(200);
    // Still one session: the new refresh token rotates it, and the list shows a single one.
    expect((await http().post('/user/refresh').send({ refresh_token: renewed.body.refresh_token })).status).toBe(201);
    const sessions = await http().get('/user/sessions').set('Authorization', `Bearer ${renewed.body.access_token}`);
    expect(sessions.body).toHaveLength(1);
  });

  it('reauthenticate needs an access token and is throttled like login', async () => {
    expect((await http().post('/user/reauthenticate').send({ password: 'alice-password' })).status).toBe(401);
    const { access_token } = await loginAs(app);
    const attempt = () => http().post('/user/reauthenticate').set('Authorization', `Bearer ${access_token}`).send({ password: 'guess' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The correct password is refused too while throttled.
    expect((await http().post('/user/reauthenticate').set('Authorization', `Bearer ${access_token}`).send({ password: 'alice-password' })).status).toBe(429);
  });
});
