import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import {
  type AccessTokenClaims,
  type AccessTokenPayload,
  CurrentUser,
  DualTokenAuthModule,
  DualTokenService,
  OptionalAuth,
  Permissions,
  RequireRecentLogin,
  Roles,
} from 'nestjs-dual-token-auth';
import { decodeJwt, nowSeconds } from './harness/forge-jwt.js';
import { GRAPHQL_DRIVERS, graphqlModuleFor, postGraphql, startGraphqlApp } from './harness/graphql-apps.js';
import { InMemoryUserLookup, type ScenarioUser, authOptions } from './harness/scenario-app.js';

// @Roles, @Permissions, @OptionalAuth and @RequireRecentLogin on GraphQL resolvers (global guard), on both drivers.

class RolesUserLookup extends InMemoryUserLookup {
  override toAccessTokenClaims(user: ScenarioUser): AccessTokenClaims {
    return { userId: user.id, username: user.username, roles: user.username === 'alice' ? ['admin'] : ['user'], permissions: ['posts:read'] };
  }
}

@Resolver()
class AdminResolver {
  @Roles('admin')
  @Query(() => String)
  adminArea(@CurrentUser('username') username: string): string {
    return `welcome ${username}`;
  }

  @Permissions('posts:read', 'posts:write')
  @Query(() => String)
  writePosts(): string {
    return 'written';
  }

  @OptionalAuth()
  @Query(() => String)
  greeting(@CurrentUser() user: AccessTokenPayload | undefined): string {
    return user ? `hello ${String(user.username)}` : 'hello stranger';
  }

  @RequireRecentLogin('5m')
  @Query(() => String)
  danger(): string {
    return 'done';
  }
}

describe.each(GRAPHQL_DRIVERS)('authorization on GraphQL, %s', (driver) => {
  let app: INestApplication;
  let url: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    ({ app, url } = await startGraphqlApp(driver, {
      imports: [
        DualTokenAuthModule.forRoot({ ...authOptions({ userLookup: new RolesUserLookup() }), globalGuard: true }),
        graphqlModuleFor(driver),
      ],
      providers: [AdminResolver],
    }));
    for (const username of ['alice', 'bob']) {
      const login = await fetch(`${url}/user/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: `${username}-password` }),
      });
      tokens[username] = ((await login.json()) as { access_token: string }).access_token;
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('@Roles: the role passes, a valid token without it is FORBIDDEN, no token UNAUTHENTICATED', async () => {
    expect((await postGraphql(url, '{ adminArea }', { token: tokens.alice })).body.data).toEqual({ adminArea: 'welcome alice' });
    const bob = await postGraphql(url, '{ adminArea }', { token: tokens.bob });
    expect(bob.body.errors?.[0]).toMatchObject({ message: 'You are not allowed to do this', extensions: { code: 'FORBIDDEN' } });
    const anonymous = await postGraphql(url, '{ adminArea }');
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('@Permissions needs all of them', async () => {
    const answer = await postGraphql(url, '{ writePosts }', { token: tokens.alice });
    expect(answer.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('@OptionalAuth: the user with a token, none without, UNAUTHENTICATED for a bad token', async () => {
    expect((await postGraphql(url, '{ greeting }', { token: tokens.bob })).body.data).toEqual({ greeting: 'hello bob' });
    expect((await postGraphql(url, '{ greeting }')).body.data).toEqual({ greeting: 'hello stranger' });
    const bad = await postGraphql(url, '{ greeting }', { token: `${tokens.bob.slice(0, -4)}AAAA` });
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('@RequireRecentLogin: a stale login is UNAUTHENTICATED with the step-up message', async () => {
    expect((await postGraphql(url, '{ danger }', { token: tokens.bob })).body.data).toEqual({ danger: 'done' });
    const sid = decodeJwt(tokens.bob).payload.sid as string;
    const stale = app.get(DualTokenService).signAccessToken({ userId: 2, username: 'bob' }, sid, Date.now(), nowSeconds() - 600).token;
    const answer = await postGraphql(url, '{ danger }', { token: stale });
    expect(answer.body.errors?.[0]).toMatchObject({
      message: 'Please confirm your password to continue',
      extensions: { code: 'UNAUTHENTICATED' },
    });
  });
});
