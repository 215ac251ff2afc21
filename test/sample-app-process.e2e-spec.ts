import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HttpClient } from './harness/http-client.js';
import { findFreePort } from './harness/free-port.js';

const REPO = path.resolve(import.meta.dirname, '..');

// What a newcomer gets from `npm start`: the compiled sample app as its own process, on the embedded SQLite default,
// with no environment variables but a port — and sessions that survive a restart of that process.
describe('sample app process (npm start) on the embedded SQLite database', () => {
  let dataDir: string;
  let port: number;
  let app: ChildProcess | undefined;
  let output = '';

  async function startProcess(): Promise<HttpClient> {
    await stopProcess();
    output = '';
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SQLITE_PATH: path.join(dataDir, 'sample.sqlite') };
    for (const name of ['NODE_ENV', 'NODE_OPTIONS', 'DATABASE_URL', 'JWT_ACCESS_SECRET', 'JWT_REFRESH_SECRET']) delete env[name];
    app = spawn(process.execPath, ['build/sample-app/main.js'], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    app.stdout!.on('data', (chunk) => (output += chunk));
    app.stderr!.on('data', (chunk) => (output += chunk));
    const http = new HttpClient(`http://127.0.0.1:${port}`);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      try {
        if ((await http.get('/aaa')).status === 200) return http;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`sample app did not start:\n${output}`);
  }

  async function stopProcess(): Promise<void> {
    if (!app || app.exitCode !== null || app.signalCode !== null) return;
    const exited = new Promise((resolve) => app!.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }

  beforeAll(async () => {
    execFileSync('npm', ['run', 'build:sample'], { cwd: REPO, stdio: 'pipe' });
    dataDir = mkdtempSync(path.join(tmpdir(), 'sample-app-'));
    port = await findFreePort();
  }, 240_000);

  afterAll(async () => {
    await stopProcess();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts with no configuration, warns about development secrets, and serves the tutorial flow', async () => {
    const http = await startProcess();
    expect(output).toMatch(/JWT_ACCESS_SECRET is not set: using a generated DEVELOPMENT secret kept in .*jwt-secrets\.json/);
    const login = await http.post('/user/login', { username: 'guang', password: '123456' });
    expect(login.status).toBe(201);
    expect((await http.get('/bbb')).status).toBe(401);
    expect(await http.get('/bbb', login.body.access_token)).toMatchObject({ status: 200, body: 'bbb' });
    const refreshed = await http.get(`/user/refresh?refresh_token=${encodeURIComponent(login.body.refresh_token)}`);
    expect(refreshed.status).toBe(200);
    expect(await http.get('/bbb', refreshed.body.access_token)).toMatchObject({ status: 200, body: 'bbb' });
    expect(output).not.toContain(login.body.refresh_token);
    expect(output).not.toContain('123456');
    await stopProcess();
  }, 60_000);

  it('keeps users and sessions in the SQLite file across a restart', async () => {
    let http = await startProcess();
    await http.post('/user/register', { username: 'restart-user', password: 'restart-pass-1' });
    const login = await http.post('/user/login', { username: 'restart-user', password: 'restart-pass-1' });
    await stopProcess();

    http = await startProcess();
    expect((await http.post('/user/refresh', { refresh_token: login.body.refresh_token })).status).toBe(201);
    expect((await http.get('/user/me', login.body.access_token)).body).toMatchObject({ username: 'restart-user' });
    await stopProcess();
  }, 90_000);

  it('refuses to start in production without secrets, with one clear line', () => {
    const result = (() => {
      try {
        execFileSync(process.execPath, ['build/sample-app/main.js'], {
          cwd: REPO,
          env: { PATH: process.env.PATH, NODE_ENV: 'production', PORT: String(port + 1), SQLITE_PATH: path.join(dataDir, 'prod.sqlite') },
          stdio: 'pipe',
        });
        return { status: 0, stderr: '' };
      } catch (error) {
        const failure = error as { status: number; stderr: Buffer };
        return { status: failure.status, stderr: failure.stderr.toString() };
      }
    })();
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Sample app failed to start: JWT_ACCESS_SECRET must be set when NODE_ENV=production/);
  });
});

