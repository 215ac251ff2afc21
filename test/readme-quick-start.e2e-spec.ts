// The README's "Quick start (library users)" runs as pasted (issue 18): its marked code blocks
// (`<!-- quick-start file: PATH -->` and `<!-- quick-start step: NAME -->`) are written into a fresh folder outside the
// repository, the install line runs with the packed tarball in place of the registry's package, the project compiles
// with the `typescript` that line installs (the one a new user gets today), the app starts with its `npm start`
// script, and the README's curl sequence and its Node client snippet run against it. A README edit that breaks a
// snippet fails here.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packLibrary, REPO, run, RunningApp, SETUP_TIMEOUT } from './harness/packed-package.js';

const SECTION_HEADING = '## Quick start (library users)\n';

interface QuickStart {
  /** Project files by path, exactly as the README shows them. */
  files: Map<string, string>;
  /** Shell steps by name: install, secrets, run, curl, client. */
  steps: Map<string, string>;
  /** Alternative blocks by what they replace, e.g. `TypeOrmModule.forRoot` → the MySQL/PostgreSQL `forRootAsync`. */
  variations: Map<string, string>;
}

/** The marked blocks of the quick-start section (up to the next `## ` heading). */
function readQuickStart(readme: string): QuickStart {
  const start = readme.indexOf(SECTION_HEADING);
  if (start < 0) throw new Error(`README.md has no "${SECTION_HEADING.trim()}" section`);
  const end = readme.indexOf('\n## ', start + SECTION_HEADING.length);
  const section = readme.slice(start, end < 0 ? undefined : end);
  const quickStart: QuickStart = { files: new Map(), steps: new Map(), variations: new Map() };
  for (const [, kind, name, body] of section.matchAll(/<!-- quick-start (file|step|variation): (\S+) -->\n```[a-z]*\n([\s\S]*?)\n```/g)) {
    const target = kind === 'file' ? quickStart.files : kind === 'step' ? quickStart.steps : quickStart.variations;
    if (target.has(name)) throw new Error(`README.md marks two blocks as quick-start ${kind} ${name}`);
    target.set(name, `${body}\n`);
  }
  return quickStart;
}

function step(quickStart: QuickStart, name: string): string {
  const script = quickStart.steps.get(name);
  if (!script) throw new Error(`README.md's quick start has no block marked <!-- quick-start step: ${name} -->`);
  return script;
}

/** Runs a README shell block the way a pasted one runs, but stopping at the first failing command. */
function bash(script: string, cwd: string): Promise<string> {
  return run('bash', ['-euo', 'pipefail', '-c', script], cwd);
}

/**
 * The install step with the packed tarball for `nestjs-dual-token-auth` (it is not fetched from the registry) and
 * without npm's audit and funding requests; everything else is installed as written, cache first.
 */
function installWithTarball(install: string, tarball: string): string {
  const ours = /(?<=\s)nestjs-dual-token-auth(?=\s|$)/g;
  if ((install.match(ours) ?? []).length !== 1) {
    throw new Error(`The quick-start install step should name nestjs-dual-token-auth once:\n${install}`);
  }
  return install.replace(ours, tarball).replaceAll('npm install ', 'npm install --no-audit --no-fund --prefer-offline ');
}

describe('the README quick start, pasted into an empty folder', () => {
  let workDir: string;
  let projectDir: string;
  let quickStart: QuickStart;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    quickStart = readQuickStart(await readFile(path.join(REPO, 'README.md'), 'utf8'));
    workDir = await mkdtemp(path.join(os.tmpdir(), 'dual-token-auth-readme-'));
    projectDir = path.join(workDir, 'my-app');
    await mkdir(projectDir);
    const tarball = await packLibrary(workDir);

    for (const [file, content] of quickStart.files) {
      await mkdir(path.dirname(path.join(projectDir, file)), { recursive: true });
      await writeFile(path.join(projectDir, file), content);
    }
    await bash(installWithTarball(step(quickStart, 'install'), tarball), projectDir);
    await bash(step(quickStart, 'secrets'), projectDir);

    // Everything the run step does before `npm start`; the app is then started with the start script's node command,
    // so the test can stop it and read its output.
    const runStep = step(quickStart, 'run').trimEnd().split('\n');
    if (runStep.at(-1) !== 'npm start') throw new Error(`The quick-start run step should end with npm start:\n${runStep.join('\n')}`);
    await bash(runStep.slice(0, -1).join('\n'), projectDir);
    const { scripts } = JSON.parse(await readFile(path.join(projectDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const start = /^node (.+)$/.exec(scripts.start ?? '');
    if (!start) throw new Error(`The quick start's package.json should start the app with "node <file>", not ${scripts.start}`);
    app = await RunningApp.start(projectDir, {}, start[1].split(' '));
  }, SETUP_TIMEOUT);

  afterAll(async () => {
    await app?.stop();
    if (workDir) await rm(workDir, { recursive: true, force: true });
  }, 120_000);

  function running(): RunningApp {
    if (!app) throw new Error('The quick-start app did not start; see the beforeAll failure');
    return app;
  }

  it('gives every file and step a new user needs, each marked for this test', () => {
    expect([...quickStart.files.keys()]).toEqual(
      expect.arrayContaining(['package.json', 'tsconfig.json', 'src/app.module.ts', 'src/main.ts', 'src/profile.controller.ts', 'src/try-client.ts']),
    );
    expect([...quickStart.steps.keys()].sort()).toEqual(['client', 'curl', 'install', 'run', 'secrets']);
  });

  it('answers the curl sequence as the README says: login 201, guarded route 200, refresh 201, logout 200, then 401', async () => {
    const server = running();
    await server.check(async () => {
      const curl = step(quickStart, 'curl');
      expect(curl).toContain('http://localhost:3000');
      const output = await bash(curl.replaceAll('http://localhost:3000', server.baseUrl), projectDir);
      const lines = output.trimEnd().split('\n');
      expect(lines).toEqual([
        'login 201',
        '{"id":1,"username":"alice"} 200',
        'refresh 201',
        '{"revoked":true} 200',
        expect.stringMatching(/^\{.*"statusCode":401.*\} 401$/),
      ]);
      // The last answer of the sequence: the refreshed pair.
      expect(JSON.parse(await readFile(path.join(projectDir, 'tokens.json'), 'utf8'))).toEqual({
        access_token: expect.any(String),
        refresh_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 1800,
        refresh_expires_in: 604800,
      });
    });
  }, 60_000);

  it("runs the client snippet in Node: login, session.fetch('/profile') 200 through baseUrl, refresh, logout", async () => {
    const server = running();
    await server.check(async () => {
      // The snippet reads API_URL (default http://localhost:3000), so it reaches the test's port unchanged.
      const output = await run('bash', ['-euo', 'pipefail', '-c', step(quickStart, 'client')], projectDir, { API_URL: server.baseUrl });
      expect(output.trimEnd().split('\n')).toEqual(['profile 200 {"id":1,"username":"alice"}', 'refreshed 1', 'logged out true']);
    });
  }, 60_000);

  it('refuses the guarded route without a token (401), as the README notes', async () => {
    const server = running();
    await server.check(async () => {
      expect((await server.request('GET', '/profile')).status).toBe(401);
    });
  });

  it('keeps the created user in the SQLite file across a restart (migrations that already ran are skipped)', async () => {
    const server = running();
    await server.check(async () => {
      await server.stop();
      const { scripts } = JSON.parse(await readFile(path.join(projectDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
      app = await RunningApp.start(projectDir, {}, scripts.start.replace(/^node /, '').split(' '));
      const created = /npm run create-user -- (\S+) (\S+)/.exec(step(quickStart, 'run'));
      expect(created).not.toBeNull();
      const login = await app.request('POST', '/user/login', { body: { username: created?.[1], password: created?.[2] } });
      expect(login.status).toBe(201);
    });
  }, 60_000);

  it('type-checks the MySQL/PostgreSQL variation of the app module in place of TypeOrmModule.forRoot', async () => {
    const variation = quickStart.variations.get('TypeOrmModule.forRoot');
    expect(variation).toBeDefined();
    const appModulePath = path.join(projectDir, 'src/app.module.ts');
    const appModule = await readFile(appModulePath, 'utf8');
    // The forRoot call of the imports array, four spaces in, up to its closing `}),` at the same depth.
    const forRoot = /^ {4}TypeOrmModule\.forRoot\(\{\n[\s\S]*?\n {4}\}\),\n/m;
    expect(appModule).toMatch(forRoot);
    const indented = (variation ?? '').trimEnd().split('\n').map((line) => `    ${line}`).join('\n');
    await writeFile(appModulePath, appModule.replace(forRoot, () => `${indented}\n`));
    try {
      await run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], projectDir);
    } finally {
      await writeFile(appModulePath, appModule);
    }
  }, 60_000);
});
