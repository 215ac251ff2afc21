import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type INestApplication, UseFilters, UseGuards } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { WsAdapter } from '@nestjs/platform-ws';
import { type OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import {
  AccessTokenGuard,
  CurrentUser,
  DualTokenAuthModule,
  InMemorySessionStore,
  type AccessTokenPayload,
  type TokenPairResponse,
} from 'nestjs-dual-token-auth';
import { ConnectionAuthenticator, SocketAuthenticator, WsAuthExceptionFilter } from 'nestjs-dual-token-auth/websockets';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { ACCESS_SECRET, authOptions, HTTP_ADAPTERS, REFRESH_SECRET, createScenarioApp, type HttpAdapterFactory } from './harness/scenario-app.js';

const ACCESS_TOKEN_SECONDS = 3;

/** `whoami` answers through socket.io's acknowledgement. */
@WebSocketGateway()
@UseFilters(WsAuthExceptionFilter)
class SocketIoWhoamiGateway implements OnGatewayInit {
  constructor(private readonly socketAuth: SocketAuthenticator) {}

  afterInit(server: unknown): void {
    this.socketAuth.protect(server);
  }

  @UseGuards(AccessTokenGuard)
  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AccessTokenPayload): { id: unknown; username: unknown } {
    return { id: user.userId, username: user.username };
  }
}

/** The same on the `ws` adapter, which answers with a `{ event, data }` message. */
@WebSocketGateway({ path: '/ws' })
@UseFilters(WsAuthExceptionFilter)
class WsWhoamiGateway implements OnGatewayInit {
  constructor(private readonly socketAuth: SocketAuthenticator) {}

  afterInit(server: unknown): void {
    this.socketAuth.protect(server);
  }

  @UseGuards(AccessTokenGuard)
  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AccessTokenPayload): { event: string; data: { id: unknown; username: unknown } } {
    return { event: 'whoami', data: { id: user.userId, username: user.username } };
  }
}

async function startGatewayApp(createAdapter: HttpAdapterFactory, kind: 'socket.io' | 'ws'): Promise<{ app: INestApplication; url: string }> {
  const app = await createScenarioApp(
    createAdapter,
    {
      imports: [
        DualTokenAuthModule.forRoot(
          authOptions({
            accessToken: { secret: ACCESS_SECRET, expiresIn: `${ACCESS_TOKEN_SECONDS}s` },
            refreshToken: { secret: REFRESH_SECRET },
          }),
        ),
      ],
      providers: [ConnectionAuthenticator, SocketAuthenticator, kind === 'socket.io' ? SocketIoWhoamiGateway : WsWhoamiGateway],
    },
    ['error'],
    (app) => app.useWebSocketAdapter(kind === 'socket.io' ? new IoAdapter(app) : new WsAdapter(app)),
  );
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

async function post(url: string, path: string, body: unknown, token?: string): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return response.json();
}

const login = (url: string, username = 'alice'): Promise<TokenPairResponse> =>
  post(url, '/user/login', { username, password: `${username}-password` });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Connects with socket.io-client; resolves once connected, rejects with the `connect_error`. */
function connectSocketIo(url: string, options: { auth?: Record<string, unknown>; extraHeaders?: Record<string, string> }): Promise<Socket> {
  const socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...options });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

function disconnected(socket: Socket): Promise<{ reason: string; ended: unknown }> {
  let ended: unknown;
  socket.once('session_ended', (payload: unknown) => (ended = payload));
  return new Promise((resolve) => socket.once('disconnect', (reason) => resolve({ reason, ended })));
}

describe.each(HTTP_ADAPTERS)('socket.io gateway on %s', (_name, createAdapter) => {
  let app: INestApplication;
  let url: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp(createAdapter, 'socket.io'));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await app?.close();
  });

  it('refuses a handshake without a token, or with a bad one, as connect_error "Unauthorized"', async () => {
    await expect(connectSocketIo(url, {})).rejects.toThrow('Unauthorized');
    await expect(connectSocketIo(url, { auth: { token: 'garbage' } })).rejects.toThrow('Unauthorized');
    const { refresh_token } = await login(url);
    await expect(connectSocketIo(url, { auth: { token: refresh_token } })).rejects.toThrow('Unauthorized');
  });

  it('accepts the token in the auth payload or the Authorization header; whoami answers through the acknowledgement', async () => {
    const { access_token } = await login(url);
    const byAuth = await connectSocketIo(url, { auth: { token: access_token } });
    const byHeader = await connectSocketIo(url, { extraHeaders: { authorization: `Bearer ${access_token}` } });
    sockets.push(byAuth, byHeader);
    expect(await byAuth.timeout(2000).emitWithAck('whoami')).toEqual({ id: 1, username: 'alice' });
    expect(await byHeader.timeout(2000).emitWithAck('whoami')).toEqual({ id: 1, username: 'alice' });
  });

  it('disconnects the sockets of a session at once when it is logged out, and only those', async () => {
    const first = await login(url);
    const other = await login(url);
    const doomed = await connectSocketIo(url, { auth: { token: first.access_token } });
    const survivor = await connectSocketIo(url, { auth: { token: other.access_token } });
    sockets.push(doomed, survivor);
    const end = disconnected(doomed);
    await post(url, '/user/logout', { refresh_token: first.refresh_token });
    expect(await end).toEqual({ reason: 'io server disconnect', ended: { reason: 'revoked' } });
    expect(await survivor.timeout(2000).emitWithAck('whoami')).toEqual({ id: 1, username: 'alice' });
  });

  it('disconnects on logout-all (every session of the user)', async () => {
    const pair = await login(url, 'bob');
    const socket = await connectSocketIo(url, { auth: { token: pair.access_token } });
    sockets.push(socket);
    const end = disconnected(socket);
    await post(url, '/user/logout-all', {}, pair.access_token);
    expect((await end).ended).toEqual({ reason: 'revoked' });
  });

  it('disconnects when the access token expires, unless a fresh token came through reauthenticate', async () => {
    const pair = await login(url);
    const lapsing = await connectSocketIo(url, { auth: { token: pair.access_token } });
    const renewed = await connectSocketIo(url, { auth: { token: pair.access_token } });
    sockets.push(lapsing, renewed);
    const lapsed = disconnected(lapsing);
    let renewedEnded = false;
    renewed.once('disconnect', () => (renewedEnded = true));

    await sleep(1500);
    const fresh = (await post(url, '/user/refresh', { refresh_token: pair.refresh_token })) as TokenPairResponse;
    const answer = await renewed.timeout(2000).emitWithAck('reauthenticate', { token: fresh.access_token });
    expect(answer).toEqual({ ok: true, expiresAt: expect.any(Number) });

    expect((await lapsed).ended).toEqual({ reason: 'expired' });
    expect(renewedEnded).toBe(false);
    expect(await renewed.timeout(2000).emitWithAck('whoami')).toEqual({ id: 1, username: 'alice' });
  }, 15_000);

  it("refuses to reauthenticate with another user's token or a bad one, and keeps the socket as it was", async () => {
    const alice = await login(url);
    const bob = await login(url, 'bob');
    const socket = await connectSocketIo(url, { auth: { token: alice.access_token } });
    sockets.push(socket);
    expect(await socket.timeout(2000).emitWithAck('reauthenticate', { token: bob.access_token })).toEqual({
      ok: false,
      message: 'Unauthorized',
    });
    expect(await socket.timeout(2000).emitWithAck('reauthenticate', 'garbage')).toEqual({ ok: false, message: 'Unauthorized' });
    expect(await socket.timeout(2000).emitWithAck('whoami')).toEqual({ id: 1, username: 'alice' });
  });
});

describe.each(HTTP_ADAPTERS)('ws gateway on %s', (_name, createAdapter) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startGatewayApp(createAdapter, 'ws'));
  });

  afterAll(async () => {
    await app?.close();
  });

  const wsUrl = () => `${url.replace('http', 'ws')}/ws`;

  function open(token?: string): Promise<WebSocket> {
    const socket = new WebSocket(wsUrl(), token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(socket));
      socket.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      socket.once('error', reject);
    });
  }

  function nextMessage(socket: WebSocket, event: string): Promise<unknown> {
    return new Promise((resolve) => {
      const onMessage = (raw: unknown) => {
        const message = JSON.parse(String(raw)) as { event: string; data: unknown };
        if (message.event !== event) return;
        socket.off('message', onMessage);
        resolve(message.data);
      };
      socket.on('message', onMessage);
    });
  }

  it('refuses the upgrade without a valid token with a 401', async () => {
    await expect(open()).rejects.toThrow('HTTP 401');
    await expect(open('garbage')).rejects.toThrow('HTTP 401');
  });

  it('answers whoami, takes reauthenticate, and closes with 4403 when the session is logged out', async () => {
    const pair = await login(url);
    const socket = await open(pair.access_token);
    const whoami = nextMessage(socket, 'whoami');
    socket.send(JSON.stringify({ event: 'whoami', data: {} }));
    expect(await whoami).toEqual({ id: 1, username: 'alice' });

    const fresh = (await post(url, '/user/refresh', { refresh_token: pair.refresh_token })) as TokenPairResponse;
    const reauthenticated = nextMessage(socket, 'reauthenticated');
    socket.send(JSON.stringify({ event: 'reauthenticate', data: { token: fresh.access_token } }));
    expect(await reauthenticated).toEqual({ ok: true, expiresAt: expect.any(Number) });

    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    await post(url, '/user/logout', { refresh_token: fresh.refresh_token });
    expect(await closed).toBe(4403);
  });

  it('closes with 4401 when the access token expires', async () => {
    const pair = await login(url);
    const socket = await open(pair.access_token);
    const code = await new Promise<number>((resolve) => socket.once('close', (closeCode) => resolve(closeCode)));
    expect(code).toBe(4401);
  }, 10_000);
});

/** A gateway that leaves the handshake open and guards only its handler: the guard reads socket.io's handshake token. */
@WebSocketGateway({ path: '/open-handshake' })
@UseFilters(WsAuthExceptionFilter)
class OpenHandshakeGateway {
  @UseGuards(AccessTokenGuard)
  @SubscribeMessage('whoami')
  whoami(@CurrentUser('username') username: string): string {
    return username;
  }
}

describe('socket.io: the guard on a handler without handshake authentication, and revocations made by another instance', () => {
  const store = new InMemorySessionStore();
  const apps: INestApplication[] = [];
  const urls: string[] = [];
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Two instances on one session store, no revocation bus: a logout on one reaches the other through the store.
    for (let instance = 0; instance < 2; instance++) {
      const app = await createScenarioApp(
        HTTP_ADAPTERS[0][1],
        {
          imports: [DualTokenAuthModule.forRoot(authOptions({ sessionStore: store, revocationCheckCacheSeconds: 1 }))],
          providers: [ConnectionAuthenticator, SocketAuthenticator, SocketIoWhoamiGateway, OpenHandshakeGateway],
        },
        ['error'],
        (created) => created.useWebSocketAdapter(new IoAdapter(created)),
      );
      await app.listen(0, '127.0.0.1');
      apps.push(app);
      urls.push((await app.getUrl()).replace('[::1]', '127.0.0.1'));
    }
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const app of apps) await app.close();
  });

  it('answers a guarded handler for the handshake token, and an "exception" 401 (not "Internal server error") without one', async () => {
    const { access_token } = await login(urls[0]!);
    const withToken = io(urls[0]!, { path: '/open-handshake', auth: { token: access_token }, transports: ['websocket'], forceNew: true });
    const anonymous = io(urls[0]!, { path: '/open-handshake', transports: ['websocket'], forceNew: true });
    sockets.push(withToken, anonymous);
    expect(await withToken.timeout(2000).emitWithAck('whoami')).toBe('alice');
    const exception = new Promise<unknown>((resolve) => anonymous.once('exception', resolve));
    anonymous.emit('whoami', {});
    expect(await exception).toMatchObject({ status: 'error', statusCode: 401 });
  });

  it('disconnects a socket on instance B within revocationCheckCacheSeconds of a logout on instance A', async () => {
    const pair = await login(urls[0]!);
    const onB = await connectSocketIo(urls[1]!, { auth: { token: pair.access_token } });
    sockets.push(onB);
    const end = disconnected(onB);
    const loggedOutAt = Date.now();
    await post(urls[0]!, '/user/logout', { refresh_token: pair.refresh_token });
    expect((await end).ended).toEqual({ reason: 'revoked' });
    expect(Date.now() - loggedOutAt).toBeLessThan(2500);
  }, 10_000);
});
