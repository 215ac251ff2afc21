import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { postGraphql } from './harness/graphql-apps.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

const LOGIN = 'mutation { login(username: "guang", password: "123456") { accessToken refreshToken tokenType expiresIn refreshExpiresIn } }';

// The sample app on both HTTP platforms: the tutorial's REST routes unchanged, GraphQL at /graphql, socket.io's whoami.
describe.each(['express', 'fastify'] as const)('sample app with HTTP_ADAPTER=%s: REST, GraphQL and socket.io', (adapter) => {
  let running: RunningSampleApp;
  let url: string;
  let dataDir: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sample-realtime-'));
    running = await startSampleApp({ HTTP_ADAPTER: adapter, SQLITE_PATH: path.join(dataDir, 'sample.sqlite') });
    url = running.baseUrl;
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await running?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the REST contract: /aaa open, /bbb behind the login, login answers the token pair', async () => {
    expect(await (await fetch(`${url}/aaa`)).text()).toBe('aaa');
    const anonymous = await fetch(`${url}/bbb`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ statusCode: 401, message: '用户未登录', error: 'Unauthorized' });
    const login = await fetch(`${url}/user/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'guang', password: '123456' }),
    });
    expect(login.status).toBe(201);
    const pair = (await login.json()) as { access_token: string };
    expect(await (await fetch(`${url}/bbb`, { headers: { authorization: `Bearer ${pair.access_token}` } })).text()).toBe('bbb');
  });

  it('serves the tutorial routes as GraphQL fields and the auth mutations at POST /graphql', async () => {
    expect((await postGraphql(url, '{ aaa }')).body).toEqual({ data: { aaa: 'aaa' } });
    const anonymous = await postGraphql(url, '{ bbb }');
    expect(anonymous.status).toBeLessThan(500);
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');

    const login = await postGraphql(url, LOGIN);
    const tokens = login.body.data!.login;
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 1800 });
    expect((await postGraphql(url, '{ bbb me { id username } }', { token: tokens.accessToken })).body).toEqual({
      data: { bbb: 'bbb', me: { id: expect.any(String), username: 'guang' } },
    });
    const refreshed = await postGraphql(url, 'mutation($t: String!) { refresh(refreshToken: $t) { accessToken } }', {
      variables: { t: tokens.refreshToken },
    });
    expect(refreshed.body.data?.refresh.accessToken).toEqual(expect.any(String));
  });

  it('answers socket.io whoami through the acknowledgement and refuses a handshake without a token', async () => {
    const tokens = (await postGraphql(url, LOGIN)).body.data!.login;
    const socket = io(url, { auth: { token: tokens.accessToken }, transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    expect(await socket.timeout(2000).emitWithAck('whoami')).toEqual({ id: expect.any(String), username: 'guang' });

    const anonymous = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    sockets.push(anonymous);
    const refusal = await new Promise<Error>((resolve) => anonymous.once('connect_error', resolve));
    expect(refusal.message).toBe('Unauthorized');
  });

  if (adapter === 'express') {
    it('streams subscription { countdown(from: 3) } over graphql-ws for the token in connection_init', async () => {
      const tokens = (await postGraphql(url, LOGIN)).body.data!.login;
      const client = createClient({
        url: `${url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${tokens.accessToken}` },
        retryAttempts: 0,
      });
      const values: unknown[] = [];
      for await (const result of client.iterate({ query: 'subscription { countdown(from: 3) }' })) values.push(result.data?.countdown);
      await client.dispose();
      expect(values).toEqual([3, 2, 1]);
    });
  }
});
