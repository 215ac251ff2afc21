import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, nowSeconds, signHmacJwt, tamperPayload, unsignedJwt } from './harness/forge-jwt.js';
import type { HttpClient } from './harness/http-client.js';
import { startSampleAppOnMySql, type SampleAppOnMySql } from './harness/sample-apps-on-mysql.js';
import { TEST_ACCESS_SECRET, TEST_REFRESH_SECRET } from './harness/sample-app-server.js';

const INVALID = { statusCode: 401, message: 'token 失效，请重新登录', error: 'Unauthorized' };

// What an attacker would try with tokens, against the sample app on MySQL: every attempt is a 401, never a 500.
describe('sample app: forged, swapped and expired tokens', () => {
  let suite: SampleAppOnMySql;
  let http: HttpClient;
  let tokens: { access_token: string; refresh_token: string };
  let access: ReturnType<typeof decodeJwt>;
  let refresh: ReturnType<typeof decodeJwt>;

  beforeAll(async () => {
    // 2 s, not 1 s: JWT times are whole seconds, so a token lives between its lifetime minus one second and its lifetime.
    suite = await startSampleAppOnMySql({ JWT_ACCESS_EXPIRES_IN: '2s' });
    ({ http } = suite);
    tokens = (await http.post('/user/login', { username: 'guang', password: '123456' })).body;
    access = decodeJwt(tokens.access_token);
    refresh = decodeJwt(tokens.refresh_token);
  }, 180_000);

  afterAll(async () => {
    await suite?.stop();
  });

  async function expectAccessRejected(token: string): Promise<void> {
    const response = await http.get('/bbb', token);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID);
  }

  async function expectRefreshRejected(token: string): Promise<void> {
    const response = await http.post('/user/refresh', { refresh_token: token });
    expect(response.status).toBe(401);
    expect(response.body).toEqual(INVALID);
  }

  it('a refresh token is never accepted as an access token', async () => {
    await expectAccessRejected(tokens.refresh_token);
  });

  it('an access token is never accepted as a refresh token (POST and GET)', async () => {
    await expectRefreshRejected(tokens.access_token);
    expect((await http.get(`/user/refresh?refresh_token=${tokens.access_token}`)).status).toBe(401);
  });

  it('a token of the right shape signed with the other kind’s secret is rejected', async () => {
    // Access claims, access type, but signed with the refresh secret (and vice versa).
    await expectAccessRejected(signHmacJwt(access.header, { ...access.payload, exp: nowSeconds() + 600 }, TEST_REFRESH_SECRET));
    await expectRefreshRejected(signHmacJwt(refresh.header, refresh.payload, TEST_ACCESS_SECRET));
  });

  it('the type is checked in header and claim: wrong typ or token_type is rejected even with a valid signature', async () => {
    const payload: Record<string, unknown> = { ...access.payload, exp: nowSeconds() + 600 };
    await expectAccessRejected(signHmacJwt({ alg: 'HS256', typ: 'JWT' }, payload, TEST_ACCESS_SECRET));
    await expectAccessRejected(signHmacJwt({ alg: 'HS256', typ: 'rt+jwt' }, payload, TEST_ACCESS_SECRET));
    await expectAccessRejected(signHmacJwt(access.header, { ...payload, token_type: 'refresh' }, TEST_ACCESS_SECRET));
    const { token_type: _omitted, ...untyped } = payload;
    await expectAccessRejected(signHmacJwt(access.header, untyped, TEST_ACCESS_SECRET));
    await expectRefreshRejected(signHmacJwt({ alg: 'HS256', typ: 'at+jwt' }, refresh.payload, TEST_REFRESH_SECRET));
  });

  it('alg none and other algorithms than the pinned HS256 are rejected', async () => {
    await expectAccessRejected(unsignedJwt({ ...access.payload, exp: nowSeconds() + 600 }));
    await expectAccessRejected(unsignedJwt({ ...access.payload, exp: nowSeconds() + 600 }, 'at+jwt').slice(0, -1));
    await expectAccessRejected(signHmacJwt({ alg: 'HS512', typ: 'at+jwt' }, { ...access.payload, exp: nowSeconds() + 600 }, TEST_ACCESS_SECRET));
    await expectRefreshRejected(unsignedJwt(refresh.payload, 'rt+jwt'));
  });

  it('a wrong signature or a tampered payload is rejected', async () => {
    await expectAccessRejected(signHmacJwt(access.header, access.payload, 'x'.repeat(48)));
    await expectAccessRejected(tamperPayload(tokens.access_token, { username: 'admin', userId: 999 }));
    await expectRefreshRejected(tamperPayload(tokens.refresh_token, { gen: 99 }));
    const [h, p, s] = tokens.access_token.split('.');
    await expectAccessRejected(`${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`);
  });

  it('expired and not-yet-valid tokens are rejected', async () => {
    await expectAccessRejected(signHmacJwt(access.header, { ...access.payload, iat: nowSeconds() - 120, exp: nowSeconds() - 60 }, TEST_ACCESS_SECRET));
    await expectAccessRejected(signHmacJwt(access.header, { ...access.payload, nbf: nowSeconds() + 600, exp: nowSeconds() + 1200 }, TEST_ACCESS_SECRET));
    await expectRefreshRejected(signHmacJwt(refresh.header, { ...refresh.payload, exp: nowSeconds() - 1 }, TEST_REFRESH_SECRET));
    // A genuinely issued access token with a 2 s lifetime, after it ran out.
    const fresh = (await http.post('/user/login', { username: 'guang', password: '123456' })).body;
    expect((await http.get('/bbb', fresh.access_token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2200));
    await expectAccessRejected(fresh.access_token);
  });

  it('a validly signed refresh token for a session that does not exist is rejected', async () => {
    await expectRefreshRejected(
      signHmacJwt(refresh.header, { ...refresh.payload, sid: '00000000-0000-4000-8000-000000000000' }, TEST_REFRESH_SECRET),
    );
  });

  it('absurd Authorization headers get 401, not 500', async () => {
    const anonymous = { statusCode: 401, message: '用户未登录', error: 'Unauthorized' };
    for (const header of ['Bearer', 'Bearer ', 'Basic Z3Vhbmc6MTIzNDU2', `Bearer ${'a'.repeat(10_240)}`, 'Token abc']) {
      const response = await http.get('/bbb', undefined, { authorization: header });
      expect(response.status).toBe(401);
      expect(response.body).toEqual(anonymous);
    }
    for (const token of ['a.b.c', '...', 'eyJhbGciOiJIUzI1NiJ9..', '%%%.%%%.%%%', 'Ünïcödé.tøken.x']) {
      const response = await http.get('/bbb', undefined, { authorization: `Bearer ${encodeURIComponent(token)}` });
      expect(response.status).toBe(401);
    }
  });
});
