import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, Module, UseGuards } from '@nestjs/common';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { Args, GraphQLModule, Int, Query, Resolver, Subscription } from '@nestjs/graphql';
import { ExpressAdapter } from '@nestjs/platform-express';
import { createClient, type Client } from 'graphql-ws';
import {
  AccessTokenGuard,
  CurrentUser,
  DualTokenAuthModule,
  type AccessTokenPayload,
  type TokenPairResponse,
} from 'nestjs-dual-token-auth';
import { ConnectionAuthenticator, GraphqlWsAuthenticator, MercuriusSubscriptionAuthenticator } from 'nestjs-dual-token-auth/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { WebSocket } from 'ws';
import { ACCESS_SECRET, authOptions, createScenarioApp, REFRESH_SECRET } from './harness/scenario-app.js';

const ACCESS_TOKEN_SECONDS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Resolver()
@UseGuards(AccessTokenGuard)
class CountdownResolver {
  @Query(() => String)
  bbb(): string {
    return 'bbb';
  }

  /** Emits from..1, then completes. */
  @Subscription(() => Int, { resolve: (value: number) => value })
  async *countdown(@Args('from', { type: () => Int }) from: number): AsyncGenerator<number> {
    for (let n = from; n >= 1; n--) {
      await sleep(20);
      yield n;
    }
  }

  /** The subscriber's username every 100 ms, until the client stops or the server ends the socket. */
  @Subscription(() => String, { resolve: (value: string) => value })
  async *ticks(@CurrentUser('username') username: string): AsyncGenerator<string> {
    for (;;) {
      await sleep(100);
      yield username;
    }
  }
}

@Module({
  providers: [ConnectionAuthenticator, GraphqlWsAuthenticator, MercuriusSubscriptionAuthenticator],
  exports: [GraphqlWsAuthenticator, MercuriusSubscriptionAuthenticator],
})
class SubscriptionAuthModule {}

interface Outcome {
  values: unknown[];
  errors: unknown[];
  completed: boolean;
}

describe.each(['apollo on express', 'mercurius on fastify'] as const)('GraphQL subscriptions over graphql-ws (%s)', (driver) => {
  let app: INestApplication;
  let url: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    const graphql =
      driver === 'apollo on express'
        ? GraphQLModule.forRootAsync<ApolloDriverConfig>({
            driver: ApolloDriver,
            imports: [SubscriptionAuthModule],
            inject: [GraphqlWsAuthenticator],
            useFactory: (auth: GraphqlWsAuthenticator) => ({ autoSchemaFile: true, subscriptions: { 'graphql-ws': auth.options() } }),
          })
        : GraphQLModule.forRootAsync<MercuriusDriverConfig>({
            driver: MercuriusDriver,
            imports: [SubscriptionAuthModule],
            inject: [MercuriusSubscriptionAuthenticator],
            useFactory: (auth: MercuriusSubscriptionAuthenticator) => ({ autoSchemaFile: true, ...auth.options() }),
          });
    app = await createScenarioApp(driver === 'apollo on express' ? () => new ExpressAdapter() : () => new FastifyAdapter(), {
      imports: [
        DualTokenAuthModule.forRoot({
          ...authOptions({ accessToken: { secret: ACCESS_SECRET, expiresIn: `${ACCESS_TOKEN_SECONDS}s` }, refreshToken: { secret: REFRESH_SECRET } }),
          isGlobal: true,
        }),
        graphql,
      ],
      providers: [CountdownResolver],
    });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    for (const client of clients) await client.dispose();
    await app?.close();
  });

  async function login(username = 'alice'): Promise<TokenPairResponse> {
    const response = await fetch(`${url}/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: `${username}-password` }),
    });
    return (await response.json()) as TokenPairResponse;
  }

  /** A graphql-ws client that reports the close codes it sees and never reconnects. */
  function connect(connectionParams: Record<string, unknown>): { client: Client; closeCodes: number[]; socket: Promise<WebSocket> } {
    const closeCodes: number[] = [];
    let resolveSocket!: (socket: WebSocket) => void;
    const socket = new Promise<WebSocket>((resolve) => (resolveSocket = resolve));
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
      on: {
        opened: (opened) => resolveSocket(opened as WebSocket),
        closed: (event) => void closeCodes.push((event as { code: number }).code),
      },
    });
    clients.push(client);
    return { client, closeCodes, socket };
  }

  function run(client: Client, query: string, onValue?: (value: unknown) => void): Promise<Outcome> {
    const outcome: Outcome = { values: [], errors: [], completed: false };
    return new Promise((resolve) => {
      client.subscribe(
        { query },
        {
          next: (result) => {
            if (result.errors) outcome.errors.push(...result.errors);
            if (result.data) {
              const value = Object.values(result.data)[0];
              outcome.values.push(value);
              onValue?.(value);
            }
          },
          error: (error) => {
            outcome.errors.push(error);
            resolve(outcome);
          },
          complete: () => {
            outcome.completed = true;
            resolve(outcome);
          },
        },
      );
    });
  }

  it('refuses connection_init without a token or with a bad one: no value, an error (Apollo closes with 4403)', async () => {
    for (const params of [{}, { authorization: 'Bearer garbage' }]) {
      const { client, closeCodes } = connect(params);
      const outcome = await run(client, 'subscription { countdown(from: 3) }');
      expect(outcome.values).toEqual([]);
      expect(outcome.completed).toBe(false);
      expect(outcome.errors.length).toBeGreaterThan(0);
      // Mercurius answers a refused connection_init with its own connection error (the client fails on it) instead.
      if (driver === 'apollo on express') expect(closeCodes).toEqual([4403]);
    }
  });

  it('runs a guarded subscription for the token in connection_init: from..1, then complete', async () => {
    const { access_token } = await login();
    const { client } = connect({ authorization: `Bearer ${access_token}` });
    expect(await run(client, 'subscription { countdown(from: 3) }')).toEqual({ values: [3, 2, 1], errors: [], completed: true });
  });

  it('gives the subscription its user through @CurrentUser()', async () => {
    const { access_token } = await login('bob');
    const { client } = connect({ authorization: `Bearer ${access_token}` });
    const outcome = await new Promise<unknown[]>((resolve) => {
      const values: unknown[] = [];
      const stop = client.subscribe(
        { query: 'subscription { ticks }' },
        {
          next: (result) => {
            values.push(result.data?.ticks);
            if (values.length === 2) {
              stop();
              resolve(values);
            }
          },
          error: () => resolve(values),
          complete: () => resolve(values),
        },
      );
    });
    expect(outcome).toEqual(['bob', 'bob']);
  });

  it('closes the socket with 4403 at once when the session is logged out', async () => {
    const pair = await login();
    const { client, closeCodes } = connect({ authorization: `Bearer ${pair.access_token}` });
    let loggedOut = false;
    const outcome = await run(client, 'subscription { ticks }', () => {
      if (loggedOut) return;
      loggedOut = true;
      void fetch(`${url}/user/logout`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: pair.refresh_token }),
      });
    });
    expect(outcome.values.length).toBeGreaterThan(0);
    expect(outcome.values.length).toBeLessThan(10);
    expect(closeCodes).toEqual([4403]);
  });

  it('closes with 4401 when the token expires', async () => {
    const pair = await login();
    const { client, closeCodes } = connect({ authorization: `Bearer ${pair.access_token}` });
    await run(client, 'subscription { ticks }');
    expect(closeCodes).toEqual([4401]);
  }, 10_000);

  // Mercurius has no hook for a client's ping: re-authentication on a live socket is Apollo's (graphql-ws's useServer).
  if (driver === 'apollo on express') it('keeps a socket open past its first token when the client re-authenticated with a ping in time', async () => {
    const pair = await login();
    const lapsing = connect({ authorization: `Bearer ${pair.access_token}` });
    const renewed = connect({ authorization: `Bearer ${pair.access_token}` });
    const lapsed = run(lapsing.client, 'subscription { ticks }');
    let renewedValues = 0;
    void run(renewed.client, 'subscription { ticks }', () => void renewedValues++);

    await sleep(1500);
    const refresh = await fetch(`${url}/user/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: pair.refresh_token }),
    });
    const fresh = (await refresh.json()) as TokenPairResponse;
    (await renewed.socket).send(JSON.stringify({ type: 'ping', payload: { authorization: `Bearer ${fresh.access_token}` } }));

    await lapsed;
    expect(lapsing.closeCodes).toEqual([4401]);
    const countAtExpiry = renewedValues;
    await sleep(500);
    expect(renewed.closeCodes).toEqual([]);
    expect(renewedValues).toBeGreaterThan(countAtExpiry);
  }, 15_000);
});
