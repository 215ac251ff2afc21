import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DualTokenAuthModule, InvalidAuthConfigurationError } from 'nestjs-dual-token-auth';
import request from 'supertest';
import { tamperPayload } from './harness/forge-jwt.js';
import { GuardedController, HTTP_ADAPTERS, authOptions, createScenarioApp, loginAs } from './harness/scenario-app.js';

// What a hostile page, a planted cookie or a crafted body could do to the auth routes (issue 12 items 3, 4, 5, 8, 9,
// 11): every answer here is one an attacker must not get.

const CSRF = { 'x-csrf-protection': '1' };
const CREDENTIALS = { username: 'alice', password: 'alice-password' };

/** `[[[...]]]` nested `depth` levels deep: about 3 KB at 1,500 levels. */
const nestedArrays = (depth: number): string => '['.repeat(depth) + '1' + ']'.repeat(depth);

function setCookies(response: request.Response): string[] {
  return ([] as string[]).concat((response.headers['set-cookie'] as string[] | string | undefined) ?? []);
}

describe.each(HTTP_ADAPTERS)('attacks on the auth routes (%s)', (_name, createAdapter) => {
  describe('cookie transport', () => {
    let app: INestApplication;
    const cookieOptions = { refreshTokenCookie: { secure: false } };

    beforeAll(async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot({ ...authOptions(cookieOptions), allowRefreshTokenInQuery: true })],
      });
    });
    afterAll(async () => {
      await app.close();
    });

    it('refuses a cross-site form login (login CSRF) with 403 and sets no cookie', async () => {
      const response = await request(app.getHttpServer())
        .post('/user/login')
        .type('form')
        .set('Origin', 'https://evil.example')
        .set('Sec-Fetch-Site', 'cross-site')
        .send(CREDENTIALS)
        .expect(403);

      expect(response.body.message).toMatch(/JSON body from the same site or the x-csrf-protection header/);
      expect(setCookies(response)).toEqual([]);
    });

    it('refuses a form login even without Sec-Fetch-Site (older browsers), and a cross-site JSON login', async () => {
      const server = app.getHttpServer();
      expect(setCookies(await request(server).post('/user/login').type('form').send(CREDENTIALS).expect(403))).toEqual([]);
      await request(server).post('/user/login').set('Sec-Fetch-Site', 'cross-site').send(CREDENTIALS).expect(403);
    });

    it('accepts a same-site JSON login, and any login that carries the CSRF header', async () => {
      const server = app.getHttpServer();
      const json = await request(server).post('/user/login').set('Sec-Fetch-Site', 'same-origin').send(CREDENTIALS).expect(201);
      expect(setCookies(json).some((cookie) => cookie.startsWith('refresh_token='))).toBe(true);
      await request(server).post('/user/login').type('form').set(CSRF).send(CREDENTIALS).expect(201);
    });

    it('never sets a cookie from GET /user/refresh?refresh_token= (a plain link), and answers the pair in the body', async () => {
      const server = app.getHttpServer();
      const login = await request(server).post('/user/login').set(CSRF).send({ ...CREDENTIALS }).expect(201);
      const cookie = setCookies(login).find((value) => value.startsWith('refresh_token='))!;
      const refreshToken = decodeURIComponent(cookie.slice('refresh_token='.length, cookie.indexOf(';')));

      const viaLink = await request(server).get('/user/refresh').query({ refresh_token: refreshToken }).expect(200);
      expect(setCookies(viaLink)).toEqual([]);
      expect(viaLink.body.refresh_token).toEqual(expect.any(String));

      const rejected = await request(server).get('/user/refresh').query({ refresh_token: 'not-a-token' }).expect(401);
      expect(setCookies(rejected)).toEqual([]);
    });

    it('refuses two refresh-token cookies (one may be planted by a sibling subdomain) with 400 naming the problem', async () => {
      const server = app.getHttpServer();
      const login = await request(server).post('/user/login').set(CSRF).send(CREDENTIALS).expect(201);
      const ours = setCookies(login).find((value) => value.startsWith('refresh_token='))!.split(';')[0];

      const response = await request(server)
        .post('/user/refresh')
        .set(CSRF)
        .set('Cookie', `refresh_token=planted-by-attacker; ${ours}`)
        .send({})
        .expect(400);
      expect(JSON.stringify(response.body.message)).toMatch(/Several refresh_token cookies arrived/);
    });
  });

  describe('__Host- cookie prefix', () => {
    let app: INestApplication | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('sends a __Host- cookie with Path=/, Secure and no Domain, and reads it back', async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot(authOptions({ refreshTokenCookie: { name: '__Host-refresh' } }))],
      });
      const server = app.getHttpServer();
      const login = await request(server).post('/user/login').send(CREDENTIALS).expect(201);
      const cookie = setCookies(login).find((value) => value.startsWith('__Host-refresh='))!;
      expect(cookie).toMatch(/; Path=\/(;|$)/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).not.toMatch(/Domain=/i);

      await request(server).post('/user/refresh').set(CSRF).set('Cookie', cookie.split(';')[0]).send({}).expect(201);
    });

    it.each([
      [{ path: '/user' }, /path "\/user" \(the prefix requires Path=\/\)/],
      [{ secure: false }, /secure: false \(the prefix requires Secure\)/],
      [{ domain: 'example.com' }, /domain "example.com" \(the prefix forbids Domain\)/],
    ])('refuses to start with a __Host- cookie and %j', async (conflict, message) => {
      const start = createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot(authOptions({ refreshTokenCookie: { name: '__Host-refresh', ...conflict } }))],
      });
      await expect(start).rejects.toBeInstanceOf(InvalidAuthConfigurationError);
      await expect(start).rejects.toThrow(message);
    });
  });

  describe('body transport', () => {
    let app: INestApplication;

    beforeAll(async () => {
      app = await createScenarioApp(createAdapter, {
        imports: [DualTokenAuthModule.forRoot(authOptions({ rateLimit: false }))],
        controllers: [GuardedController],
      });
    });
    afterAll(async () => {
      await app.close();
    });

    it('marks login and refresh answers as not cacheable (RFC 6749 §5.1)', async () => {
      const server = app.getHttpServer();
      const login = await request(server).post('/user/login').send(CREDENTIALS).expect(201);
      expect(login.headers['cache-control']).toBe('no-store');
      expect(login.headers.pragma).toBe('no-cache');

      const refresh = await request(server).post('/user/refresh').send({ refresh_token: login.body.refresh_token }).expect(201);
      expect(refresh.headers['cache-control']).toBe('no-store');
      expect(refresh.headers.pragma).toBe('no-cache');
    });

    it.each(['login', 'refresh', 'logout'])('answers a 1,500-level nested body on /user/%s with 400, not 500', async (route) => {
      const body = `{"username":"zz","password":"1","refresh_token":"x","x":${nestedArrays(1500)}}`;
      const response = await request(app.getHttpServer())
        .post(`/user/${route}`)
        .set('Content-Type', 'application/json')
        .send(body)
        .expect(400);
      expect(JSON.stringify(response.body.message)).toMatch(/nested more than 32 levels deep/);
    });

    it('still accepts ordinary nesting in unknown properties (stripped, not refused)', async () => {
      await request(app.getHttpServer())
        .post('/user/login')
        .send({ ...CREDENTIALS, client: { device: { os: ['linux'] } } })
        .expect(201);
    });

    it('challenges a request without a token with WWW-Authenticate: Bearer, and a bad token with error="invalid_token"', async () => {
      const server = app.getHttpServer();
      const missing = await request(server).get('/guarded').expect(401);
      expect(missing.headers['www-authenticate']).toBe('Bearer');

      const invalid = await request(server).get('/guarded').set('Authorization', 'Bearer not.a.token').expect(401);
      expect(invalid.headers['www-authenticate']).toBe('Bearer error="invalid_token"');

      const badRefresh = await request(server).post('/user/refresh').send({ refresh_token: 'not.a.token' }).expect(401);
      expect(badRefresh.headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    });

    it('refuses a token whose signature was re-spelled in its unused low bits (same bytes, different string)', async () => {
      const { access_token: token } = await loginAs(app, 'alice', 'alice-password');
      const signature = token.slice(token.lastIndexOf('.') + 1);
      // An HS256 signature is 32 bytes: 43 base64url characters, the last carrying 2 unused bits.
      const last = signature.at(-1)!;
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const sibling = alphabet[alphabet.indexOf(last) ^ 1];
      const respelled = token.slice(0, -1) + sibling;
      expect(Buffer.from(respelled.split('.')[2], 'base64url')).toEqual(Buffer.from(signature, 'base64url'));

      const server = app.getHttpServer();
      await request(server).get('/guarded').set('Authorization', `Bearer ${token}`).expect(200);
      await request(server).get('/guarded').set('Authorization', `Bearer ${respelled}`).expect(401);
    });

    it('refuses an access token whose payload was changed (control for the test above)', async () => {
      const { access_token: token } = await loginAs(app, 'alice', 'alice-password');
      await request(app.getHttpServer()).get('/guarded').set('Authorization', `Bearer ${tamperPayload(token, { sub: '2' })}`).expect(401);
    });
  });
});
