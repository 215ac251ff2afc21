// Installs the packed tarball into fresh apps outside the repository, the way users get the library: a NestJS 12 ESM
// app and a NestJS 11 CommonJS app (which loads this ESM package through Node's require(esm)). Both are the same
// source (test/fixtures/consumer-apps/src) with their own package.json and tsconfig; each is compiled with its own
// TypeScript, started with plain `node`, and driven over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packLibrary, REPO, run, RunningApp, SETUP_TIMEOUT } from './harness/packed-package.js';

const FIXTURES = path.join(REPO, 'test/fixtures/consumer-apps');
/** The app's source, shared by every consumer: only package.json and tsconfig.json differ between them. */
const SHARED_SOURCE = path.join(FIXTURES, 'src');

/** The one user of the fixtures' `InMemoryUsers` (src/users.ts). */
const USER = { username: 'alice', password: 'alice-password-123' };

const CONSUMERS = [
  { app: 'nest12-esm', title: 'NestJS 12 app (ESM, module NodeNext)', graphql: false },
  { app: 'nest11-cjs', title: 'NestJS 11 app (CommonJS, module commonjs + moduleResolution node)', graphql: false },
  // Its own src/ (app module + resolver) is copied over the shared source.
  { app: 'nest12-graphql', title: 'NestJS 12 app with a GraphQL resolver (Apollo on Express)', graphql: true },
];

/** Packages of the GraphQL and WebSocket transports: optional peers, so an HTTP-only app must not get any of them. */
const TRANSPORT_PACKAGES = ['graphql', '@nestjs/graphql', '@nestjs/websockets', 'socket.io', 'ws', 'graphql-ws'];

const tokenPair = {
  access_token: expect.any(String),
  refresh_token: expect.any(String),
  token_type: 'Bearer',
  expires_in: expect.any(Number),
  refresh_expires_in: expect.any(Number),
};

describe('the packed tarball in fresh consumer apps', () => {
  let workDir: string;
  let tarball: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'dual-token-auth-consumers-'));
    tarball = await packLibrary(workDir);
  }, SETUP_TIMEOUT);

  // Two installed node_modules trees: removing them took over Jest's default 5 s on a busy 2-core machine.
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 120_000);

  // One app at a time: installs and compiles are CPU-bound.
  describe.each(CONSUMERS)('$title', ({ app: appName, graphql }) => {
    let dir: string;
    let app: RunningApp | undefined;

    beforeAll(async () => {
      dir = path.join(workDir, appName);
      await cp(SHARED_SOURCE, path.join(dir, 'src'), { recursive: true });
      // After the shared source, so a consumer's own src/ files replace the shared ones.
      await cp(path.join(FIXTURES, appName), dir, {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
      });
      await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], dir);
      await run('npx', ['tsc', '-p', 'tsconfig.json'], dir);
      app = await RunningApp.start(dir, {
        JWT_ACCESS_SECRET: randomBytes(32).toString('base64url'),
        JWT_REFRESH_SECRET: randomBytes(32).toString('base64url'),
      });
    }, SETUP_TIMEOUT);

    afterAll(async () => {
      await app?.stop();
    });

    /** The running app; fails the test (instead of crashing on undefined) when setup did not get that far. */
    function running(): RunningApp {
      if (!app) throw new Error(`${appName} did not start; see the beforeAll failure`);
      return app;
    }

    async function login(server: RunningApp) {
      const response = await server.request('POST', '/user/login', { body: USER });
      expect(response).toEqual({ status: 201, body: tokenPair });
      return response.body as { access_token: string; refresh_token: string };
    }

    if (graphql) {
      it('answers a GraphQL query guarded by AccessTokenGuard: the user from @CurrentUser(), UNAUTHENTICATED without a token', async () => {
        const server = running();
        await server.check(async () => {
          const { access_token } = await login(server);
          expect(await server.request('POST', '/graphql', { body: { query: '{ hello profile }' }, accessToken: access_token })).toEqual({
            status: 200,
            body: { data: { hello: 'hello', profile: USER.username } },
          });
          const anonymous = await server.request('POST', '/graphql', { body: { query: '{ profile }' } });
          expect(anonymous.status).toBeLessThan(500);
          expect(anonymous.body).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });
        });
      });
    } else {
      it('installs no GraphQL or WebSocket package (they are optional peers)', () => {
        const installed = TRANSPORT_PACKAGES.filter((name) => existsSync(path.join(dir, 'node_modules', name, 'package.json')));
        expect(installed).toEqual([]);
      });
    }

    it('logs in with POST /user/login and returns 201 with a token pair', async () => {
      const server = running();
      await server.check(async () => {
        await login(server);
      });
    });

    it('serves GET /profile with the access token (the username from @CurrentUser) and 401 without it', async () => {
      const server = running();
      await server.check(async () => {
        const { access_token } = await login(server);
        expect(await server.request('GET', '/profile', { accessToken: access_token })).toEqual({
          status: 200,
          body: { username: USER.username },
        });
        expect((await server.request('GET', '/profile')).status).toBe(401);
      });
    });

    it('rotates the pair with POST /user/refresh, and the new access token works on /profile', async () => {
      const server = running();
      await server.check(async () => {
        const first = await login(server);
        const refreshed = await server.request('POST', '/user/refresh', { body: { refresh_token: first.refresh_token } });
        expect(refreshed.body).toEqual(tokenPair);
        expect([200, 201]).toContain(refreshed.status);
        const second = refreshed.body as { access_token: string; refresh_token: string };
        expect(second.refresh_token).not.toBe(first.refresh_token);
        expect(await server.request('GET', '/profile', { accessToken: second.access_token })).toEqual({
          status: 200,
          body: { username: USER.username },
        });
      });
    });
  });
});
