import { afterEach, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { DualTokenAuthModule, type AuthRateLimitOptions, type DualTokenAuthEvent } from 'nestjs-dual-token-auth';
import { HttpClient, type HttpResult } from './harness/http-client.js';
import { HTTP_ADAPTERS, type HttpAdapterFactory, InMemoryUserLookup, type ScenarioUser, authOptions, createScenarioApp } from './harness/scenario-app.js';
import { SourceAddressHttpClient } from './harness/source-address-http.js';

/** A password check that takes as long as a real hash (argon2id ~15 ms here), so parallel attempts overlap. */
class SlowUserLookup extends InMemoryUserLookup {
  override async validateCredentials(username: string, password: string): Promise<ScenarioUser | null> {
    await new Promise((resolve) => setTimeout(resolve, 25));
    return super.validateCredentials(username, password);
  }
}

const statusCounts = (responses: HttpResult[]): Record<number, number> =>
  responses.reduce<Record<number, number>>((counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

// Password guessing as an attacker would do it: many attempts at once, and spellings of one name that a
// case- and accent-insensitive user table treats as the same account.
describe.each(HTTP_ADAPTERS)('attack: parallel brute force on %s', (_platform, createAdapter: HttpAdapterFactory) => {
  const running: INestApplication[] = [];

  async function start(rateLimit: AuthRateLimitOptions = {}) {
    const events: DualTokenAuthEvent[] = [];
    const app = await createScenarioApp(createAdapter, {
      imports: [
        DualTokenAuthModule.forRoot(
          authOptions({ userLookup: new SlowUserLookup(), rateLimit, onEvent: (event) => void events.push(event) }),
        ),
      ],
    });
    running.push(app);
    await app.listen(0, '127.0.0.1');
    const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    return { http: new HttpClient(baseUrl), fromOtherIp: new SourceAddressHttpClient(baseUrl, '127.0.0.2'), events };
  }

  const login = (http: HttpClient | SourceAddressHttpClient, username: string, password: string) =>
    http.post('/user/login', { username, password });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  it('40 parallel wrong passwords for one account from one IP: 10 are checked (401), 30 get 429 with Retry-After', async () => {
    const { http, fromOtherIp, events } = await start();

    const responses = await Promise.all(Array.from({ length: 40 }, (_, i) => login(http, 'alice', `guess-${i}`)));

    expect(statusCounts(responses)).toEqual({ 401: 10, 429: 30 });
    for (const throttled of responses.filter((r) => r.status === 429)) {
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(throttled.headers.get('retry-after'))).toBeLessThanOrEqual(900);
    }
    expect(events.filter((e) => e.type === 'login.failed')).toHaveLength(10);
    // The right password no longer helps from this IP, while the real user elsewhere is not locked out.
    expect((await login(http, 'alice', 'alice-password')).status).toBe(429);
    expect((await login(fromOtherIp, 'alice', 'alice-password')).status).toBe(201);
  });

  it('parallel wrong passwords over many usernames from one IP: at most maxFailuresPerIp failures are checked', async () => {
    const { http, fromOtherIp, events } = await start({ maxFailuresPerIp: 20 });

    const responses = await Promise.all(Array.from({ length: 60 }, (_, i) => login(http, `sprayed-${i}`, 'Summer2026!')));

    expect(statusCounts(responses)).toEqual({ 401: 20, 429: 40 });
    expect(events.filter((e) => e.type === 'login.failed')).toHaveLength(20);
    expect((await login(http, 'bob', 'bob-password')).status).toBe(429);
    expect((await login(fromOtherIp, 'bob', 'bob-password')).status).toBe(201);
  });

  it('a correct login inside a parallel burst of guesses within the limit still gets in', async () => {
    const { http } = await start({ maxFailuresPerUsernameAndIp: 5 });

    const [correct, ...guesses] = await Promise.all([
      login(http, 'alice', 'alice-password'),
      ...Array.from({ length: 4 }, (_, i) => login(http, 'alice', `guess-${i}`)),
    ]);

    expect(correct.status).toBe(201);
    expect(statusCounts(guesses)).toEqual({ 401: 4 });
  });

  it('look-alike spellings of one username share its budget', async () => {
    const { http, events } = await start({ maxFailuresPerUsernameAndIp: 10 });
    const spellings = ['ALICE', ' alice ', 'ａｌｉｃｅ', 'ali\u200Bce', 'al\u00ADice', 'alice\uFE0F', 'alíce', 'Ａlice', 'ALİCE', 'alice'];

    for (const [i, spelling] of spellings.entries()) expect((await login(http, spelling, `guess-${i}`)).status).toBe(401);

    // Ten failures under ten spellings used up the account's budget for this IP: even the right password is refused.
    const blocked = await login(http, 'alice', 'alice-password');
    expect(blocked.status).toBe(429);
    expect(events.at(-1)).toMatchObject({ type: 'login.throttled', username: 'alice' });
    expect((await login(http, 'ａｌｉｃｅ', 'whatever')).status).toBe(429);
    // Another account from the same IP is not affected.
    expect((await login(http, 'bob', 'bob-password')).status).toBe(201);
  });
});
