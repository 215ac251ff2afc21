import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium } from './harness/browser.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

const SCREENSHOTS = path.resolve('artifacts/screenshots');

// Swagger UI of the sample app in headless Chromium: the page renders the auth routes from /docs-json.
describe('sample app: Swagger UI at /docs in Chromium', () => {
  let sample: RunningSampleApp;
  let browser: Browser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sample-docs-'));
    sample = await startSampleApp({ SQLITE_PATH: path.join(dataDir, 'sample.sqlite') });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await sample?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the auth routes with their bearer and cookie security', async () => {
    const page = await browser.newPage();
    await page.goto(`${sample.baseUrl}/docs`);
    const reauthenticate = page.locator('.opblock-summary-path', { hasText: '/user/reauthenticate' });
    await reauthenticate.first().waitFor({ timeout: 20_000 });
    const paths = await page.locator('.opblock-summary-path').allTextContents();
    expect(paths.map((text) => text.replace(/\u200b/g, ''))).toEqual(
      expect.arrayContaining(['/user/login', '/user/refresh', '/user/logout', '/user/logout-all', '/user/sessions', '/user/sessions/{id}', '/user/reauthenticate']),
    );
    // The Authorize button exists because the document declares the security schemes.
    expect(await page.locator('button.authorize').count()).toBeGreaterThan(0);
    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'api-docs.png'), fullPage: true });
    await page.close();
  }, 60_000);
});
