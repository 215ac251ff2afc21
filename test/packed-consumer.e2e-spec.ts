// Installs the packed tarball into fresh apps outside the repository, the way users get the library: a NestJS 12 ESM
// app and a NestJS 11 CommonJS app (which loads this ESM package through Node's require(esm)). Both are the same
// source (test/fixtures/consumer-apps/src) with their own package.json and tsconfig; each is compiled with its own
// TypeScript, started with plain `node`, and driven over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from './harness/free-port.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const FIXTURES = path.join(REPO, 'test/fixtures/consumer-apps');
/** The app's source, shared by every consumer: only package.json and tsconfig.json differ between them. */
const SHARED_SOURCE = path.join(FIXTURES, 'src');

/** The one user of the fixtures' `InMemoryUsers` (src/users.ts). */
const USER = { username: 'alice', password: 'alice-password-123' };

const CONSUMERS = [
  { app: 'nest12-esm', title: 'NestJS 12 app (ESM, module NodeNext)' },
  { app: 'nest11-cjs', title: 'NestJS 11 app (CommonJS, module commonjs + moduleResolution node)' },
];

/** Installs take 1–3 minutes each on a cold npm cache. */
const SETUP_TIMEOUT = 600_000;

/**
 * The environment of a user's shell: without Jest's NODE_ENV, NODE_OPTIONS, or the npm_* variables a surrounding
 * `npm run` sets (npm_config_local_prefix would point the inner npm at this repository). Registry, cache and TLS
 * settings are kept.
 */
function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|proxy|https_proxy|noproxy|strict_ssl)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key === 'NODE_OPTIONS' || (/^npm_/i.test(key) && !keep.test(key))) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: userEnvironment(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${error.message.split('\n')[0]}):\n${stdout}\n${stderr}`));
      } else {
        resolve(stdout);
      }
    });
  });
}


const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `node dist/main.js` of one consumer app, with everything it printed. */
class RunningApp {
  private output = '';
  private exited: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly baseUrl: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.on('exit', (code, signal) => (this.exited = `exited with ${signal ?? `code ${code}`}`));
  }

  static async start(dir: string, env: Record<string, string>): Promise<RunningApp> {
    const port = await findFreePort();
    const child = spawn(process.execPath, ['dist/main.js'], {
      cwd: dir,
      env: userEnvironment({ ...env, PORT: String(port), NO_COLOR: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new RunningApp(child, `http://127.0.0.1:${port}`);
    await app.waitUntilListening();
    return app;
  }

  /** What the app printed, for failure messages. */
  logs(): string {
    return `--- node dist/main.js (${this.exited ?? 'running'}) ---\n${this.output.trimEnd()}\n--- end ---`;
  }

  private async waitUntilListening(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`The app stopped before listening.\n${this.logs()}`);
      try {
        await fetch(`${this.baseUrl}/profile`, { signal: AbortSignal.timeout(1_000) });
        return;
      } catch {
        await sleep(200);
      }
    }
    throw new Error(`The app did not listen on ${this.baseUrl} within 60 s.\n${this.logs()}`);
  }

  async stop(): Promise<void> {
    if (this.exited || this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const killTimer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killTimer);
  }

  async request(method: 'GET' | 'POST', route: string, options: { body?: unknown; accessToken?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.accessToken) headers.authorization = `Bearer ${options.accessToken}`;
    const response = await fetch(`${this.baseUrl}${route}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: body as Record<string, unknown> };
  }

  /** Runs assertions and, when one fails, adds what the app printed to the failure message. */
  async check(assertions: () => Promise<void>): Promise<void> {
    try {
      await assertions();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\n\n${this.logs()}`, { cause: error });
    }
  }
}

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
    await run('npm', ['run', 'build'], REPO);
    const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', workDir], REPO)) as { filename: string }[];
    tarball = path.join(workDir, packed[0].filename);
  }, SETUP_TIMEOUT);

  // Two installed node_modules trees: removing them took over Jest's default 5 s on a busy 2-core machine.
  afterAll(async () => {
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 120_000);

  // One app at a time: installs and compiles are CPU-bound.
  describe.each(CONSUMERS)('$title', ({ app: appName }) => {
    let app: RunningApp | undefined;

    beforeAll(async () => {
      const dir = path.join(workDir, appName);
      await cp(path.join(FIXTURES, appName), dir, {
        recursive: true,
        filter: (source) => !/[\\/](node_modules|dist)$/.test(source),
      });
      await cp(SHARED_SOURCE, path.join(dir, 'src'), { recursive: true });
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
