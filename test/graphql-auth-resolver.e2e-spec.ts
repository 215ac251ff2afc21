import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, DualTokenAuthModule, type AccessTokenPayload, type DualTokenAuthEvent } from 'nestjs-dual-token-auth';
import { DualTokenAuthResolver } from 'nestjs-dual-token-auth/graphql';
import { GRAPHQL_DRIVERS, graphqlModuleFor, postGraphql, startGraphqlApp } from './harness/graphql-apps.js';
import { authOptions } from './harness/scenario-app.js';

@Resolver()
class WhoamiResolver {
  @Query(() => String)
  whoami(@CurrentUser('username') username: string): string {
    return username;
  }
}

const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken tokenType expiresIn refreshExpiresIn } }';
const REFRESH = 'mutation($t: String!) { refresh(refreshToken: $t) { accessToken refreshToken } }';

describe.each(GRAPHQL_DRIVERS)('auth mutations over GraphQL, %s', (driver) => {
  let app: INestApplication;
  let url: string;
  const events: DualTokenAuthEvent[] = [];

  beforeAll(async () => {
    ({ app, url } = await startGraphqlApp(driver, {
      imports: [
        DualTokenAuthModule.forRoot({
          ...authOptions({ onEvent: (event) => void events.push(event), rateLimit: { maxFailuresPerUsernameAndIp: 3 } }),
          globalGuard: true,
          registerController: false,
        }),
        graphqlModuleFor(driver),
      ],
      providers: [DualTokenAuthResolver, WhoamiResolver],
    }));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('logs in, uses the access token, refreshes, detects reuse and logs out, like the REST routes', async () => {
    const login = await postGraphql(url, LOGIN, { variables: { u: 'alice', p: 'alice-password' } });
    expect(login.body.errors).toBeUndefined();
    const tokens = login.body.data!.login;
    expect(tokens).toEqual({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 1800,
      refreshExpiresIn: expect.any(Number),
    });
    expect(events.map((event) => event.type)).toContain('login.succeeded');
    expect((await postGraphql(url, '{ whoami }', { token: tokens.accessToken })).body).toEqual({ data: { whoami: 'alice' } });

    const rotated = (await postGraphql(url, REFRESH, { variables: { t: tokens.refreshToken } })).body.data!.refresh;
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);

    const logout = await postGraphql(url, 'mutation($t: String) { logout(refreshToken: $t) }', { variables: { t: rotated.refreshToken } });
    expect(logout.body).toEqual({ data: { logout: true } });
    const afterLogout = await postGraphql(url, REFRESH, { variables: { t: rotated.refreshToken } });
    expect(afterLogout.status).toBeLessThan(500);
    expect(afterLogout.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses wrong credentials as UNAUTHENTICATED and throttles repeated failures as TOO_MANY_REQUESTS', async () => {
    const codes: string[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const answer = await postGraphql(url, LOGIN, { variables: { u: 'bob', p: 'wrong' } });
      expect(answer.status).toBeLessThan(500);
      codes.push(answer.body.errors?.[0]?.extensions?.code);
    }
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'TOO_MANY_REQUESTS']);
    expect(events.filter((event) => event.type === 'login.failed').length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a garbage refresh token as UNAUTHENTICATED, never a 500', async () => {
    const answer = await postGraphql(url, REFRESH, { variables: { t: 'garbage' } });
    expect(answer.status).toBeLessThan(500);
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});

describe.each(GRAPHQL_DRIVERS)('auth mutations over GraphQL with the refresh token in a cookie, %s', (driver) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startGraphqlApp(driver, {
      imports: [
        DualTokenAuthModule.forRoot({ ...authOptions({ refreshTokenCookie: { secure: false } }), globalGuard: true }),
        graphqlModuleFor(driver),
      ],
      providers: [DualTokenAuthResolver, WhoamiResolver],
    }));
  });

  afterAll(async () => {
    await app?.close();
  });

  /** `name=value` of the refresh cookie a response sets, and its attributes. */
  const refreshCookieOf = (headers: Headers) => headers.getSetCookie().find((cookie) => cookie.startsWith('refresh_token=')) ?? '';

  it('sets the HttpOnly cookie through the GraphQL response, keeps the token out of the body, and refreshes from the cookie', async () => {
    const login = await postGraphql(url, LOGIN, { variables: { u: 'alice', p: 'alice-password' } });
    expect(login.body.errors).toBeUndefined();
    expect(login.body.data!.login.refreshToken).toBeNull();
    const cookie = refreshCookieOf(login.headers);
    expect(cookie).toMatch(/^refresh_token=[^;]+;.*HttpOnly/i);
    const pair = cookie.split(';')[0]!;

    const withoutCsrf = await postGraphql(url, 'mutation { refresh { accessToken } }', { headers: { cookie: pair } });
    expect(withoutCsrf.status).toBeLessThan(500);
    expect(withoutCsrf.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const refreshed = await postGraphql(url, 'mutation { refresh { accessToken refreshToken } }', {
      headers: { cookie: pair, 'x-csrf-protection': '1' },
    });
    expect(refreshed.body.data?.refresh).toEqual({ accessToken: expect.any(String), refreshToken: null });
    const rotated = refreshCookieOf(refreshed.headers).split(';')[0]!;
    expect(rotated).toMatch(/^refresh_token=.+/);
    expect(rotated).not.toBe(pair);

    const logout = await postGraphql(url, 'mutation { logout }', { headers: { cookie: rotated, 'x-csrf-protection': '1' } });
    expect(logout.body).toEqual({ data: { logout: true } });
    expect(refreshCookieOf(logout.headers)).toMatch(/^refresh_token=;.*Max-Age=0/i);
  });
});
