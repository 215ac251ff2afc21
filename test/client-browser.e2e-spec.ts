import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { CLIENT_BUNDLE_DIR_ENV } from '../sample-app/demo/demo-assets.js';
import { launchChromium, pageAccessToken, startPageSession } from './harness/browser.js';
import { decodeJwt } from './harness/forge-jwt.js';
import { HttpClient } from './harness/http-client.js';
import { startTestDatabase, type TestDatabase } from './harness/mysql-database.js';
import { startSampleApp, type RunningSampleApp } from './harness/sample-app-server.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
/** Screenshots of each scenario's final state, for humans (CI keeps the artifacts folder). */
const SCREENSHOTS = path.join(REPO, 'artifacts/screenshots');
/** LocalStorageTokenStorage's default key, which the demo page uses. */
const STORAGE_KEY = 'dual-token-auth';

// The demo page served by the sample app (`GET /` + the client bundle), in headless Debian Chromium, against the
// sample app on real MySQL with 2 s access tokens. Everything is driven through the page's own buttons and read back
// from what the page shows; refresh calls are also counted on the browser's network.
describe('demo page in headless Chromium against the sample app on MySQL', () => {
  let bundleDir: string;
  let database: TestDatabase;
  let sample: RunningSampleApp;
  let http: HttpClient;
  let browser: Browser;

  beforeAll(async () => {
    // The bundle the page loads, built the way `npm run build:sample` builds it (into a temporary directory here).
    bundleDir = mkdtempSync(path.join(tmpdir(), 'dual-token-auth-bundle-'));
    execFileSync(process.execPath, ['scripts/bundle-client.mjs', bundleDir], { cwd: REPO, stdio: 'pipe' });
    process.env[CLIENT_BUNDLE_DIR_ENV] = bundleDir;
    mkdirSync(SCREENSHOTS, { recursive: true });

    database = await startTestDatabase();
    sample = await startSampleApp({ DATABASE_URL: database.url, JWT_ACCESS_EXPIRES_IN: '2s' });
    http = new HttpClient(sample.baseUrl);
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await sample?.close();
    await database?.stop();
    delete process.env[CLIENT_BUNDLE_DIR_ENV];
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  /** A fresh browser profile (own localStorage) that counts the refresh calls of all its tabs. */
  async function newProfile(): Promise<{ context: BrowserContext; refreshCalls: () => number; problems: string[] }> {
    const context = await browser.newContext();
    let refreshCalls = 0;
    context.on('request', (request) => {
      if (new URL(request.url()).pathname === '/user/refresh') refreshCalls++;
    });
    const problems: string[] = [];
    context.on('page', (page) => watchForProblems(page, problems));
    return { context, refreshCalls: () => refreshCalls, problems };
  }

  async function openDemo(context: BrowserContext, query = '?proactive=off'): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${sample.baseUrl}/${query}`);
    await page.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading…');
    return page;
  }

  async function logIn(page: Page): Promise<void> {
    expect(await page.inputValue('#username')).toBe('guang');
    expect(await page.inputValue('#password')).toBe('123456');
    await page.click('#login-button');
    await waitForText(page, '#status', 'logged in as guang');
  }

  /** Waits until the access token the page holds is past its `exp` at the server (and the server agrees). */
  async function waitUntilTokenExpired(page: Page): Promise<string> {
    const stored = await page.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);
    const accessToken = JSON.parse(stored!).accessToken as string;
    const expiresAt = decodeJwt(accessToken).payload.exp * 1000;
    await page.waitForTimeout(Math.max(0, expiresAt - Date.now() + 50));
    expect((await http.get('/bbb', accessToken)).status).toBe(401);
    return accessToken;
  }

  /** Clicks "Fire concurrent /bbb requests" and returns what the page reports once all of them settled. */
  async function fireConcurrent(page: Page): Promise<string> {
    await page.click('#fire-concurrent');
    return finishedConcurrent(page);
  }

  async function finishedConcurrent(page: Page): Promise<string> {
    await page.waitForFunction(() => document.getElementById('concurrent-result')?.dataset.state === 'done');
    return (await page.textContent('#concurrent-result'))!;
  }

  async function refreshCount(page: Page): Promise<number> {
    return Number(await page.textContent('#refresh-count'));
  }

  async function adoptedCount(page: Page): Promise<number> {
    return Number(await page.textContent('#adopted-count'));
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  }

  it('serves the page and the client bundle to anyone, with a CSP that allows no inline script; /aaa stays public', async () => {
    const page = await http.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.body).toContain('<script src="/dual-token-auth-client.js"');
    expect(page.body).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+=/i); // no inline code at all
    const bundle = await http.get('/dual-token-auth-client.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(bundle.body).toContain('var DualTokenAuthClient');
    expect((await http.get('/demo.js')).status).toBe(200);
    expect(await http.get('/aaa')).toMatchObject({ status: 200, body: 'aaa' });
    expect((await http.get('/bbb')).status).toBe(401);

    const { context, problems } = await newProfile();
    const tab = await openDemo(context);
    expect(await tab.textContent('#status')).toBe('not logged in');
    await tab.click('#call-aaa-bbb');
    await waitForText(tab, '#bbb-result', 'HTTP 401: 用户未登录');
    expect(await tab.textContent('#aaa-result')).toBe('aaa');
    expect(await tab.evaluate(() => typeof (window as { DualTokenAuthClient?: unknown }).DualTokenAuthClient)).toBe('object');
    expect(problems).toEqual([]);
    await screenshot(tab, '01-logged-out');
    await context.close();
  }, 60_000);

  it('one tab: log in with the form, let the token expire, fire 10 concurrent requests: all succeed with exactly one refresh', async () => {
    const { context, refreshCalls, problems } = await newProfile();
    const tab = await openDemo(context);
    await logIn(tab);
    await tab.click('#call-aaa-bbb');
    await waitForText(tab, '#bbb-result', 'bbb');
    expect(await tab.textContent('#aaa-result')).toBe('aaa');

    await waitUntilTokenExpired(tab);
    const countedBefore = await refreshCount(tab); // 0, unless a slow machine let the first token expire already
    const sentBefore = refreshCalls();
    const bbbStatuses: number[] = [];
    tab.on('response', (response) => {
      if (new URL(response.url()).pathname === '/bbb') bbbStatuses.push(response.status());
    });
    const result = await fireConcurrent(tab);

    expect(result).toBe('10 of 10 succeeded; refreshes by this tab meanwhile: 1');
    expect((await refreshCount(tab)) - countedBefore).toBe(1); // the page's counter (the session's `refreshed` events)
    expect(refreshCalls() - sentBefore).toBe(1); // what actually went over the network
    expect(bbbStatuses.filter((s) => s === 401)).toHaveLength(10); // all ten really met the expired token…
    expect(bbbStatuses.filter((s) => s === 200)).toHaveLength(10); // …and were replayed once each
    expect(await tab.textContent('#event-log')).toContain(
      `refreshed the tokens (trigger: unauthorized, refresh #${countedBefore + 1} of this tab)`,
    );
    expect(await tab.isHidden('#session-ended')).toBe(true);
    expect(problems).toEqual([]);
    await screenshot(tab, '02-one-tab-10-concurrent-one-refresh');
    await context.close();
  }, 60_000);

  it('two tabs sharing localStorage, token expired, both fire 10 requests at once: one refresh in total, both keep working', async () => {
    const { context, refreshCalls, problems } = await newProfile();
    const first = await openDemo(context);
    const second = await openDemo(context);
    expect(await second.textContent('#status')).toBe('not logged in');
    await logIn(first);
    await waitForText(second, '#status', 'logged in as guang'); // told by the first tab, nothing typed here

    await waitUntilTokenExpired(first);
    const adoptedBefore = new Map([first, second].map((tab) => [tab, 0]));
    for (const tab of [first, second]) adoptedBefore.set(tab, await adoptedCount(tab));
    await Promise.all([first.click('#fire-concurrent'), second.click('#fire-concurrent')]);
    const [firstResult, secondResult] = await Promise.all([finishedConcurrent(first), finishedConcurrent(second)]);

    expect(firstResult).toMatch(/^10 of 10 succeeded; /);
    expect(secondResult).toMatch(/^10 of 10 succeeded; /);
    expect(refreshCalls()).toBe(1);
    expect((await refreshCount(first)) + (await refreshCount(second))).toBe(1);
    // The tab that did not refresh took the other tab's new tokens.
    const [refresher, adopter] = (await refreshCount(first)) === 1 ? [first, second] : [second, first];
    expect((await adoptedCount(adopter)) - adoptedBefore.get(adopter)!).toBe(1);
    expect((await adoptedCount(refresher)) - adoptedBefore.get(refresher)!).toBe(0);
    await screenshot(first, '03-two-tabs-first');
    await screenshot(second, '03-two-tabs-second');

    // Both tabs keep working on the shared pair: when it expires again, another double round needs one refresh again.
    await waitUntilTokenExpired(second);
    await Promise.all([first.click('#fire-concurrent'), second.click('#fire-concurrent')]);
    const again = await Promise.all([finishedConcurrent(first), finishedConcurrent(second)]);
    expect(again[0]).toMatch(/^10 of 10 succeeded; refreshes by this tab meanwhile: [01]$/);
    expect(again[1]).toMatch(/^10 of 10 succeeded; refreshes by this tab meanwhile: [01]$/);
    expect(again.filter((text) => text.endsWith(': 1'))).toHaveLength(1);
    expect(refreshCalls()).toBe(2);
    const stored = await first.evaluate((key) => localStorage.getItem(key), STORAGE_KEY);
    expect(await second.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)).toBe(stored);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('session revoked elsewhere: the requests fail with "session ended", both tabs show the message and the login form works again', async () => {
    const { context, refreshCalls, problems } = await newProfile();
    const first = await openDemo(context);
    const second = await openDemo(context);
    await logIn(first);
    await waitForText(second, '#status', 'logged in as guang');

    // The user logs out everywhere from another device.
    const elsewhere = await http.post('/user/login', { username: 'guang', password: '123456' });
    expect((await http.post('/user/logout-all', undefined, elsewhere.body.access_token)).status).toBe(200);

    const result = await fireConcurrent(first);

    expect(result).toBe(
      '0 of 10 succeeded; refreshes by this tab meanwhile: 0; failures: session ended (refresh-rejected)',
    );
    expect(refreshCalls()).toBe(1); // one rejected refresh, not ten
    await waitForText(first, '#session-ended', 'Your session has ended (refresh-rejected). Please log in again.');
    await waitForText(second, '#session-ended', 'Your session has ended (other-tab). Please log in again.');
    await waitForText(first, '#status', 'not logged in');
    await waitForText(second, '#status', 'not logged in');
    expect(await first.evaluate((key) => localStorage.getItem(key), STORAGE_KEY)).toBeNull();
    await screenshot(first, '04-session-ended-first');
    await screenshot(second, '04-session-ended-second');

    await logIn(second);
    expect(await second.isHidden('#session-ended')).toBe(true);
    await waitForText(first, '#status', 'logged in as guang');
    expect(await first.isHidden('#session-ended')).toBe(true);
    expect(await fireConcurrent(first)).toMatch(/^10 of 10 succeeded; /);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('log out in one tab: both tabs are logged out (no "session ended"), and the server revoked the session', async () => {
    const { context, problems } = await newProfile();
    const first = await openDemo(context);
    const second = await openDemo(context);
    await logIn(first);
    await waitForText(second, '#status', 'logged in as guang');
    const { refreshToken } = JSON.parse((await first.evaluate((key) => localStorage.getItem(key), STORAGE_KEY))!);

    await first.click('#logout-button');

    await waitForText(first, '#status', 'not logged in');
    await waitForText(second, '#status', 'not logged in');
    expect(await first.isHidden('#session-ended')).toBe(true);
    expect(await second.isHidden('#session-ended')).toBe(true);
    expect(await second.textContent('#event-log')).toContain('logged out in another tab');
    await expectEventually(async () => (await http.post('/user/refresh', { refresh_token: refreshToken })).status, 401);
    await second.click('#call-aaa-bbb');
    await waitForText(second, '#bbb-result', 'HTTP 401: 用户未登录');
    expect(problems).toEqual([]);
    await screenshot(second, '05-logged-out-in-other-tab');
    await context.close();
  }, 60_000);

  it('proactive mode (the default page): the page renews its 2 s token on its own and requests keep succeeding', async () => {
    const { context, refreshCalls, problems } = await newProfile();
    const tab = await openDemo(context, '');
    expect(await tab.textContent('#proactive-mode')).toBe('on');
    await logIn(tab);
    // No clicks for three seconds: the page renews the token at least twice on its own.
    await tab.waitForTimeout(3_000);
    const renewals = await refreshCount(tab);
    expect(renewals).toBeGreaterThanOrEqual(2);
    expect(refreshCalls()).toBeGreaterThanOrEqual(renewals); // (one more may be on its way right now)
    expect(refreshCalls()).toBeLessThanOrEqual(renewals + 1);
    expect(await tab.textContent('#event-log')).toContain('(trigger: proactive, refresh #2 of this tab)');
    expect(await tab.textContent('#event-log')).not.toContain('trigger: unauthorized');

    expect(await fireConcurrent(tab)).toMatch(/^10 of 10 succeeded; /);
    expect(problems).toEqual([]);
    await screenshot(tab, '06-proactive-refresh');
    await context.close();
  }, 60_000);

  // Issue 17 items 1, 2 and 5: races between tabs, in real Chromium with two tabs sharing one profile. Each test runs
  // its own client session in the demo pages (window.session, see startPageSession) on its own storage key, and
  // holds the answer of tab B's refresh at the network while tab A logs in or out.

  /** Registers a fresh user and returns the `sub` its tokens carry. */
  async function registerUser(): Promise<{ username: string; password: string; sub: string }> {
    const user = { username: `tab_race_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`, password: 'tab-race-passw0rd' };
    expect((await http.post('/user/register', user)).status).toBe(201);
    const login = await http.post('/user/login', user);
    expect({ status: login.status, body: login.body }).toMatchObject({ status: 201 });
    return { ...user, sub: String(decodeJwt(login.body.access_token).payload.sub) };
  }

  function subOf(token: string | null): string | null {
    return token === null ? null : String(decodeJwt(token).payload.sub);
  }

  /** Lets refresh calls reach the server (which rotates) but holds their answers until release(). */
  async function holdRefreshAnswers(context: BrowserContext): Promise<{ answered: Promise<void>; release: () => Promise<void> }> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let answered!: () => void;
    const serverAnswered = new Promise<void>((resolve) => (answered = resolve));
    const fulfilled: Promise<void>[] = [];
    const handler = async (route: Route): Promise<void> => {
      const done = (async () => {
        const response = await route.fetch();
        answered();
        await released;
        await route.fulfill({ response });
      })();
      fulfilled.push(done);
      await done;
    };
    await context.route('**/user/refresh', handler);
    return {
      answered: serverAnswered,
      release: async () => {
        release();
        await Promise.all(fulfilled);
        await context.unroute('**/user/refresh', handler);
      },
    };
  }

  /** Both tabs share a session (as guang) whose access token has expired; tab B then starts a refresh that is held. */
  async function twoTabsWithHeldRefresh(key: string) {
    const { context, problems } = await newProfile();
    const a = await openDemo(context);
    const b = await openDemo(context);
    for (const tab of [a, b]) await startPageSession(tab, { key, gatedChannel: true });
    const guang = await a.evaluate(() => (window as any).session.login('guang', '123456'));
    await expectEventually(() => pageAccessToken(b), guang.accessToken);
    await a.waitForTimeout(Math.max(0, decodeJwt(guang.accessToken).payload.exp * 1000 - Date.now() + 50));

    const held = await holdRefreshAnswers(context);
    await b.evaluate(() => {
      const w = window as any;
      w.pending = w.session.fetch('/bbb').then(
        (response: Response) => response.status,
        (error: Error) => `${error.name}: ${error.message}`,
      );
    });
    await held.answered; // the server has rotated guang's refresh token; B does not know yet
    await b.evaluate(() => (window as any).holdMessages()); // what A announces reaches B only later
    return { context, problems, a, b, guang, held };
  }

  const stored = (tab: Page, key: string): Promise<string | null> => tab.evaluate((k) => localStorage.getItem(k), key);

  it('issue 17 item 1: tab A logs in as another user while tab B refreshes the old session: every tab ends up as the new user', async () => {
    const bob = await registerUser();
    const { context, problems, a, b, held } = await twoTabsWithHeldRefresh('race-login');

    const bobTokens = await a.evaluate((user) => (window as any).session.login(user.username, user.password), bob);
    await a.waitForTimeout(200); // the login is in the shared storage; B's refresh answer arrives before A's message
    await held.release();
    expect(await b.evaluate(() => (window as any).pending)).toBe(200); // B's request went out again, as bob
    await b.evaluate(() => (window as any).releaseMessages());

    await a.waitForTimeout(500);
    expect(subOf(await pageAccessToken(a))).toBe(bob.sub);
    expect(subOf(await pageAccessToken(b))).toBe(bob.sub);
    expect(JSON.parse((await stored(a, 'race-login'))!).accessToken).toBe(bobTokens.accessToken);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('issue 17 item 2: tab A logs out while tab B refreshes: nobody is logged in again and localStorage stays empty', async () => {
    const { context, problems, a, b, held } = await twoTabsWithHeldRefresh('race-logout');

    await a.evaluate(() => (window as any).session.logout());
    await a.waitForTimeout(200);
    await held.release();
    expect(await b.evaluate(() => (window as any).pending)).toMatch(/^SessionEndedError/);
    await b.evaluate(() => (window as any).releaseMessages());

    await a.waitForTimeout(1_500); // longer than a tab waits for the storage to show announced tokens
    expect(await pageAccessToken(a)).toBeNull();
    expect(await pageAccessToken(b)).toBeNull();
    expect(await stored(a, 'race-logout')).toBeNull();
    expect(await stored(b, 'race-logout')).toBeNull();
    expect(await a.evaluate(() => (window as any).tokenChanges.slice(-1))).toEqual(['logout']);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('issue 17 item 5: sessionStorage is per tab: independent tabs never log each other out, a duplicated tab follows its original', async () => {
    const bob = await registerUser();
    const { context, problems } = await newProfile();
    const a = await openDemo(context);
    await startPageSession(a, { key: 'per-tab', perTab: true });
    await a.evaluate(() => (window as any).session.login('guang', '123456'));

    // A duplicate of A: window.open copies A's sessionStorage into the new tab.
    const [duplicate] = await Promise.all([context.waitForEvent('page'), a.evaluate(() => void window.open(location.href))]);
    await duplicate!.waitForFunction(() => document.getElementById('status')?.textContent !== 'loading…');
    await startPageSession(duplicate!, { key: 'per-tab', perTab: true });
    expect(await pageAccessToken(duplicate!)).toBe(await pageAccessToken(a));

    // An independent tab with its own session.
    const b = await openDemo(context);
    await startPageSession(b, { key: 'per-tab', perTab: true });
    await b.evaluate((user) => (window as any).session.login(user.username, user.password), bob);

    // A rotates: the duplicate takes the new pair (it would otherwise present the rotated refresh token later).
    const rotated = await a.evaluate(() => (window as any).session.refresh());
    await expectEventually(() => pageAccessToken(duplicate!), rotated.accessToken);
    expect(subOf(await pageAccessToken(b))).toBe(bob.sub);

    // A logs out: its duplicate (same session) follows, the independent tab does not.
    await a.evaluate(() => (window as any).session.logout());
    await expectEventually(() => pageAccessToken(duplicate!), null);
    await b.waitForTimeout(300);
    expect(subOf(await pageAccessToken(b))).toBe(bob.sub);
    expect(await b.evaluate(() => (window as any).session.fetch('/bbb').then((response: Response) => response.status))).toBe(200);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});

/** Uncaught page errors and CSP violations; network errors such as the expected 401s are not problems. */
function watchForProblems(page: Page, problems: string[]): void {
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) {
      problems.push(`console: ${message.text()}`);
    }
  });
}

async function waitForText(page: Page, selector: string, text: string): Promise<void> {
  try {
    await page.waitForFunction(
      ([sel, expected]) => document.querySelector(sel!)?.textContent === expected,
      [selector, text] as const,
      { timeout: 10_000 },
    );
  } catch (error) {
    const actual = await page.textContent(selector).catch(() => '(unreadable)');
    throw new Error(`${selector}: expected "${text}", page shows "${actual}"`, { cause: error });
  }
}

async function expectEventually<T>(probe: () => Promise<T>, expected: T, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (last !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await probe();
  }
  expect(last).toBe(expected);
}
