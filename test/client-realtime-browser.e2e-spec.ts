import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { launchChromium } from './harness/browser.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));

// The client helpers in headless Chromium against the sample app (4 s access tokens): the browser's own WebSocket,
// socket.io's browser client (served by the app at /socket.io/socket.io.js) and graphql-ws bundled for the page.
describe('client helpers in Chromium against the sample app: socket.io and graphql-ws outlive the first token', () => {
  let workDir: string;
  let sample: RunningSampleApp;
  let browser: Browser;
  let clientBundle: string;
  let graphqlWsBundle: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'client-realtime-browser-'));
    execFileSync(process.execPath, ['scripts/bundle-client.mjs', workDir], { cwd: REPO, stdio: 'pipe' });
    clientBundle = readFileSync(path.join(workDir, 'dual-token-auth-client.js'), 'utf8');
    const graphqlWs = await build({
      absWorkingDir: REPO,
      stdin: { contents: "export { createClient } from 'graphql-ws';", resolveDir: REPO },
      bundle: true,
      format: 'iife',
      globalName: 'graphqlWs',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    graphqlWsBundle = graphqlWs.outputFiles[0]!.text;
    sample = await startSampleApp({ SQLITE_PATH: path.join(workDir, 'sample.sqlite'), JWT_ACCESS_EXPIRES_IN: '4s' });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await sample?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('keeps whoami answering and the countdown running after the first token expired, through one refresh', async () => {
    const page = await browser.newPage();
    // /aaa: a same-origin document without the demo page's CSP, so the test can add its scripts.
    await page.goto(`${sample.baseUrl}/aaa`);
    await page.addScriptTag({ content: clientBundle });
    await page.addScriptTag({ content: graphqlWsBundle });
    await page.addScriptTag({ url: '/socket.io/socket.io.js' });

    const result = await page.evaluate(async () => {
      const w = window as any;
      const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const session = w.DualTokenAuthClient.createAuthSession({ baseUrl: location.origin, proactiveRefresh: false, crossTab: false });
      await session.login('guang', '123456');

      const socket = w.io({ autoConnect: false, transports: ['websocket'], reconnection: false });
      w.DualTokenAuthClient.bindSocketIoAuth(session, socket);
      const disconnects: string[] = [];
      socket.on('disconnect', (reason: string) => disconnects.push(reason));
      socket.connect();
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const before = await socket.timeout(2000).emitWithAck('whoami');

      const auth = w.DualTokenAuthClient.graphqlWsAuth(session);
      const closes: number[] = [];
      const client = w.graphqlWs.createClient({
        url: `${location.origin.replace('http', 'ws')}/graphql`,
        connectionParams: auth.connectionParams,
        retryAttempts: 0,
        on: { opened: auth.opened, closed: (event: CloseEvent) => closes.push(event.code) },
      });
      const values: number[] = [];
      client.subscribe({ query: 'subscription { countdown(from: 100) }' }, { next: (r: any) => values.push(r.data.countdown), error: () => {}, complete: () => {} });

      await sleep(2000);
      await session.refresh();
      await sleep(2300); // the first token expired (at most 4 s after login); the fresh one lives beyond 5 s
      const valuesAtCheck = values.length;
      await sleep(500);
      const after = await socket.timeout(2000).emitWithAck('whoami');
      // Copies: closing below adds its own (client-side) disconnect and close.
      const result = { before, after, disconnects: [...disconnects], closes: [...closes], grew: values.length > valuesAtCheck, first: values[0] };
      socket.close();
      await client.dispose();
      return result;
    });

    expect(result.before).toEqual({ id: expect.any(String), username: 'guang' });
    expect(result.after).toEqual(result.before);
    expect(result.disconnects).toEqual([]);
    expect(result.closes).toEqual([]);
    expect(result.first).toBe(100);
    expect(result.grew).toBe(true);
    await page.close();
  }, 30_000);
});
