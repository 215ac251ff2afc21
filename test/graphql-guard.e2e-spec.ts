import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, UseGuards } from '@nestjs/common';
import { Args, Field, ID, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import {
  AccessTokenGuard,
  CurrentUser,
  DualTokenAuthModule,
  Public,
  type AccessTokenPayload,
  type TokenPairResponse,
} from 'nestjs-dual-token-auth';
import { GRAPHQL_DRIVERS, graphqlModuleFor, postGraphql, startGraphqlApp, type GraphqlDriverName } from './harness/graphql-apps.js';
import { authOptions } from './harness/scenario-app.js';

@ObjectType()
class Me {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  username!: string;
}

/** The tutorial's routes as GraphQL fields, behind a per-resolver guard or (guarded: false) the global one. */
function tutorialResolver(perResolverGuard: boolean) {
  @Resolver(() => Me)
  class TutorialResolver {
    @Public()
    @Query(() => String)
    aaa(): string {
      return 'aaa';
    }

    @Query(() => String)
    bbb(): string {
      return 'bbb';
    }

    @Query(() => Me)
    me(@CurrentUser() user: AccessTokenPayload): Me {
      return { id: String(user.userId), username: String(user.username) };
    }

    @Mutation(() => String)
    rename(@Args('to', { type: () => String }) to: string, @CurrentUser('username') username: string): string {
      return `${username} -> ${to}`;
    }

    /** A field resolver sees the same user as the query that reached it. */
    @ResolveField(() => String)
    greeting(@Parent() me: Me, @CurrentUser('username') username: string): string {
      return `hello ${username} (${me.id})`;
    }
  }
  if (perResolverGuard) UseGuards(AccessTokenGuard)(TutorialResolver);
  return TutorialResolver;
}

const scenarios: [GraphqlDriverName, 'per resolver' | 'global guard'][] = GRAPHQL_DRIVERS.flatMap((driver) => [
  [driver, 'per resolver'] as [GraphqlDriverName, 'per resolver'],
  [driver, 'global guard'] as [GraphqlDriverName, 'global guard'],
]);

describe.each(scenarios)('GraphQL, %s, AccessTokenGuard %s', (driver, placement) => {
  let app: INestApplication;
  let url: string;
  let tokens: TokenPairResponse;

  beforeAll(async () => {
    ({ app, url } = await startGraphqlApp(driver, {
      imports: [
        DualTokenAuthModule.forRoot({
          ...authOptions({ rejectRevokedAccessTokens: true }),
          globalGuard: placement === 'global guard',
        }),
        graphqlModuleFor(driver),
      ],
      providers: [tutorialResolver(placement === 'per resolver')],
    }));
    const login = await fetch(`${url}/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'alice', password: 'alice-password' }),
    });
    tokens = (await login.json()) as TokenPairResponse;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('answers the public query to anyone, even with a broken token', async () => {
    expect((await postGraphql(url, '{ aaa }')).body).toEqual({ data: { aaa: 'aaa' } });
    expect((await postGraphql(url, '{ aaa }', { token: 'garbage' })).body).toEqual({ data: { aaa: 'aaa' } });
  });

  it('refuses a guarded query without a token as an UNAUTHENTICATED GraphQL error: no 500, no WWW-Authenticate', async () => {
    const answer = await postGraphql(url, '{ bbb }');
    expect(answer.status).toBeLessThan(500);
    expect(answer.headers.get('www-authenticate')).toBeNull();
    expect(answer.body.data ?? null).toBeNull();
    expect(answer.body.errors).toEqual([
      expect.objectContaining({ path: ['bbb'], extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }),
    ]);
  });

  it('refuses an invalid token and a refresh token presented as access token the same way', async () => {
    for (const token of ['garbage', tokens.refresh_token]) {
      const answer = await postGraphql(url, '{ me { id username } }', { token });
      expect(answer.status).toBeLessThan(500);
      expect(answer.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers guarded queries, mutations and field resolvers with the caller from @CurrentUser()', async () => {
    const token = tokens.access_token;
    expect((await postGraphql(url, '{ bbb }', { token })).body).toEqual({ data: { bbb: 'bbb' } });
    expect((await postGraphql(url, '{ me { id username greeting } }', { token })).body).toEqual({
      data: { me: { id: '1', username: 'alice', greeting: 'hello alice (1)' } },
    });
    expect((await postGraphql(url, 'mutation { rename(to: "al") }', { token })).body).toEqual({
      data: { rename: 'alice -> al' },
    });
  });

  it('refuses the access token of a logged-out session', async () => {
    const login = await fetch(`${url}/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'bob', password: 'bob-password' }),
    });
    const bob = (await login.json()) as TokenPairResponse;
    expect((await postGraphql(url, '{ me { username } }', { token: bob.access_token })).body.data).toEqual({ me: { username: 'bob' } });
    await fetch(`${url}/user/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: bob.refresh_token }),
    });
    const after = await postGraphql(url, '{ me { username } }', { token: bob.access_token });
    expect(after.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
