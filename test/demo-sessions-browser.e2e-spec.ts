import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { CLIENT_BUNDLE_DIR_ENV } from '../sample-app/demo/demo-assets.js';
import { launchChromium } from './harness/browser.js';
import { HttpClient } from './harness/http-client.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

const REPO = path.resolve('.');
const SCREENSHOTS = path.join(REPO, 'artifacts/screenshots');

// The demo page's "your sessions" panel and token lifetime bars, in headless Chromium against the sample app.
describe('demo page: your sessions panel in Chromium', () => {
  let sample: RunningSampleApp;
  let browser: Browser;
  let bundleDir: string;
  let dataDir: string;

  beforeAll(async () => {
    bundleDir = mkdtempSync(path.join(tmpdir(), 'dual-token-auth-bundle-'));
    execFileSync(process.execPath, ['scripts/bundle-client.mjs', bundleDir], { cwd: REPO, stdio: 'pipe' });
    process.env[CLIENT_BUNDLE_DIR_ENV] = bundleDir;
    dataDir = mkdtempSync(path.join(tmpdir(), 'sample-demo-sessions-'));
    sample = await startSampleApp({ SQLITE_PATH: path.join(dataDir, 'sample.sqlite'), JWT_ACCESS_EXPIRES_IN: '60s' });
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await sample?.close();
    delete process.env[CLIENT_BUNDLE_DIR_ENV];
    rmSync(bundleDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rows = (page: Page) => page.locator('#sessions-body tr');
  const screenshot = async (page: Page, name: string) => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  it('lists the sessions with the current one marked, revokes one, signs out the others, and shows the token bars', async () => {
    // Two other devices of guang.
    const http = new HttpClient(sample.baseUrl);
    const phone = await http.post('/user/login', { username: 'guang', password: '123456' }, undefined, {
      'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1',
    });
    const laptop = await http.post('/user/login', { username: 'guang', password: '123456' }, undefined, {
      'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/128.0',
    });

    const page = await browser.newPage();
    await page.goto(sample.baseUrl);
    await page.click('#login-button');
    await page.locator('#sessions-table[data-count="3"]').waitFor();
    expect(await rows(page).count()).toBe(3);
    const current = page.locator('#sessions-body tr.current');
    expect(await current.count()).toBe(1);
    expect(await current.textContent()).toContain('(this device)');
    expect(await current.locator('button.revoke').count()).toBe(0);
    expect(await page.locator('#sessions-body').textContent()).toEqual(expect.stringContaining('Safari on iOS'));
    expect(await page.locator('#sessions-body').textContent()).toEqual(expect.stringContaining('Firefox on Windows'));

    // The bars count down live: a 60 s access token, a 7 d refresh token.
    const accessBefore = Number(await page.locator('#access-bar').evaluate((bar: HTMLProgressElement) => bar.value));
    expect(accessBefore).toBeGreaterThan(0.9);
    expect(await page.locator('#access-left').textContent()).toMatch(/s left$/);
    expect(await page.locator('#refresh-left').textContent()).toMatch(/d .*h left$/);
    await page.waitForTimeout(1500);
    expect(Number(await page.locator('#access-bar').evaluate((bar: HTMLProgressElement) => bar.value))).toBeLessThan(accessBefore);
    await screenshot(page, 'demo-sessions-01-three-devices');

    // Revoke the phone from the list.
    await page.locator('#sessions-body tr', { hasText: 'Safari on iOS' }).locator('button.revoke').click();
    await page.locator('#sessions-table[data-count="2"]').waitFor();
    expect((await http.post('/user/refresh', { refresh_token: phone.body.refresh_token })).status).toBe(401);
    expect((await http.post('/user/refresh', { refresh_token: laptop.body.refresh_token })).status).toBe(201);

    // Sign out every other device: only this one is left, and it still works.
    await page.click('#sign-out-others');
    await page.locator('#sessions-table[data-count="1"]').waitFor();
    expect(await page.locator('#sessions-body tr.current').count()).toBe(1);
    await page.click('#call-aaa-bbb');
    await page.locator('#bbb-result', { hasText: 'bbb' }).waitFor();
    await screenshot(page, 'demo-sessions-02-others-signed-out');
    await page.close();
  }, 60_000);
});
