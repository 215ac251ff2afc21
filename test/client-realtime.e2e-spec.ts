import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type INestApplication, Module, UseGuards } from '@nestjs/common';
import { GraphQLModule, Query, Resolver, Subscription } from '@nestjs/graphql';
import { ExpressAdapter } from '@nestjs/platform-express';
import { type OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { createClient } from 'graphql-ws';
import { AccessTokenGuard, CurrentUser, DualTokenAuthModule, type AccessTokenPayload } from 'nestjs-dual-token-auth';
import { bindSocketIoAuth, createAuthSession, graphqlWsAuth } from 'nestjs-dual-token-auth/client';
import { ConnectionAuthenticator, GraphqlWsAuthenticator } from 'nestjs-dual-token-auth/graphql';
import { SocketAuthenticator } from 'nestjs-dual-token-auth/websockets';
import { io } from 'socket.io-client';
import { WebSocket } from 'ws';
import { ACCESS_SECRET, authOptions, createScenarioApp, REFRESH_SECRET } from './harness/scenario-app.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@WebSocketGateway()
class WhoamiGateway implements OnGatewayInit {
  constructor(private readonly socketAuth: SocketAuthenticator) {}

  afterInit(server: unknown): void {
    this.socketAuth.protect(server);
  }

  @UseGuards(AccessTokenGuard)
  @SubscribeMessage('whoami')
  whoami(@CurrentUser('username') username: string): string {
    return username;
  }
}

@Resolver()
@UseGuards(AccessTokenGuard)
class TicksResolver {
  @Query(() => String)
  bbb(): string {
    return 'bbb';
  }

  @Subscription(() => String, { resolve: (value: string) => value })
  async *ticks(@CurrentUser() user: AccessTokenPayload): AsyncGenerator<string> {
    for (;;) {
      await sleep(100);
      yield String(user.username);
    }
  }
}

@Module({
  providers: [ConnectionAuthenticator, GraphqlWsAuthenticator, SocketAuthenticator],
  exports: [ConnectionAuthenticator, GraphqlWsAuthenticator, SocketAuthenticator],
})
class RealtimeAuthModule {}

// The client session feeds live connections: the token at connect, and the fresh one after every refresh, so sockets
// outlive their first access token (3 s here) instead of being closed by the server.
describe('client helpers for graphql-ws and socket.io (Node)', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    app = await createScenarioApp(() => new ExpressAdapter(), {
      imports: [
        DualTokenAuthModule.forRoot({
          ...authOptions({ accessToken: { secret: ACCESS_SECRET, expiresIn: '4s' }, refreshToken: { secret: REFRESH_SECRET } }),
          isGlobal: true,
        }),
        RealtimeAuthModule,
        GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          imports: [RealtimeAuthModule],
          inject: [GraphqlWsAuthenticator],
          useFactory: (auth: GraphqlWsAuthenticator) => ({ autoSchemaFile: true, subscriptions: { 'graphql-ws': auth.options() } }),
        }),
      ],
      providers: [WhoamiGateway, TicksResolver],
    });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await app?.close();
  });

  it('keeps a socket.io socket and a graphql-ws subscription open past the first token by re-authenticating after a refresh', async () => {
    const session = createAuthSession({ baseUrl: url, proactiveRefresh: false, crossTab: false });
    await session.login('alice', 'alice-password');

    const socket = io(url, { autoConnect: false, transports: ['websocket'], reconnection: false, forceNew: true });
    const unbind = bindSocketIoAuth(session, socket);
    const disconnects: string[] = [];
    socket.on('disconnect', (reason) => disconnects.push(reason));
    socket.connect();
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    expect(await socket.timeout(2000).emitWithAck('whoami')).toBe('alice');

    const graphqlAuth = graphqlWsAuth(session);
    const closeCodes: number[] = [];
    const client = createClient({
      url: `${url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: graphqlAuth.connectionParams,
      retryAttempts: 0,
      on: { opened: graphqlAuth.opened, closed: (event) => void closeCodes.push((event as { code: number }).code) },
    });
    let ticks = 0;
    const stopTicks = client.subscribe({ query: 'subscription { ticks }' }, { next: () => void ticks++, error: () => {}, complete: () => {} });

    await sleep(2000);
    await session.refresh();
    // Tokens carry whole seconds: the first one expired at most 4 s after login, the fresh one lives until more than
    // 5 s after it. In between, only re-authentication keeps the connections open.
    await sleep(2300);
    const ticksAfterExpiry = ticks;
    await sleep(300);

    expect(disconnects).toEqual([]);
    expect(await socket.timeout(2000).emitWithAck('whoami')).toBe('alice');
    expect(closeCodes).toEqual([]);
    expect(ticks).toBeGreaterThan(ticksAfterExpiry);

    stopTicks();
    unbind();
    graphqlAuth.dispose();
    socket.close();
    await client.dispose();
    session.dispose();
  }, 15_000);

  it('without the helpers, the same connections are closed when the first token expires (the control case)', async () => {
    const session = createAuthSession({ baseUrl: url, proactiveRefresh: false, crossTab: false });
    await session.login('alice', 'alice-password');
    const socket = io(url, { auth: { token: await session.getAccessToken() }, transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    await sleep(1500);
    await session.refresh();
    expect(await disconnected).toBe('io server disconnect');
    socket.close();
    session.dispose();
  }, 10_000);
});
