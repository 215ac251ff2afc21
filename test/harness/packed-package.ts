// What the specs that install the packed tarball into fresh projects outside the repository share
// (test/packed-consumer.e2e-spec.ts, test/readme-quick-start.e2e-spec.ts): packing, running commands in a user's
// environment, and the started app driven over real HTTP.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from './free-port.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Installs take 1–3 minutes each on a cold npm cache. */
export const SETUP_TIMEOUT = 600_000;

/**
 * The environment of a user's shell: without Jest's NODE_ENV, NODE_OPTIONS, or the npm_* variables a surrounding
 * `npm run` sets (npm_config_local_prefix would point the inner npm at this repository). Registry, cache and TLS
 * settings are kept.
 */
export function userEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|registry|userconfig|globalconfig|cafile|proxy|https_proxy|noproxy|strict_ssl)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_ENV' || key === 'NODE_OPTIONS' || (/^npm_/i.test(key) && !keep.test(key))) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Runs a command in the user's environment and resolves with its stdout; rejects with both outputs on failure. */
export function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, env: userEnvironment(extraEnv), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`\`${command} ${args.join(' ')}\` in ${cwd} failed (${error.message.split('\n')[0]}):\n${stdout}\n${stderr}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/** Builds the library and packs it into `destination`, the way `npm publish` would; returns the tarball's path. */
export async function packLibrary(destination: string): Promise<string> {
  await run('npm', ['run', 'build'], REPO);
  const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', destination], REPO)) as { filename: string }[];
  return path.join(destination, packed[0].filename);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A consumer app started with plain `node` (by default `node dist/main.js`), with everything it printed. */
export class RunningApp {
  private output = '';
  private exited: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly commandLine: string,
    readonly port: number,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.on('exit', (code, signal) => (this.exited = `exited with ${signal ?? `code ${code}`}`));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts `node <nodeArguments>` in `dir` with `PORT` set to a free port, and waits until it answers HTTP. */
  static async start(dir: string, env: Record<string, string>, nodeArguments: string[] = ['dist/main.js']): Promise<RunningApp> {
    const port = await findFreePort();
    const child = spawn(process.execPath, nodeArguments, {
      cwd: dir,
      env: userEnvironment({ ...env, PORT: String(port), NO_COLOR: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new RunningApp(child, `node ${nodeArguments.join(' ')}`, port);
    await app.waitUntilListening();
    return app;
  }

  /** What the app printed, for failure messages. */
  logs(): string {
    return `--- ${this.commandLine} (${this.exited ?? 'running'}) ---\n${this.output.trimEnd()}\n--- end ---`;
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
