import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Argon2PasswordHasher } from 'nestjs-dual-token-auth/argon2';
import { HttpClient, type HttpResult } from './harness/http-client.js';
import { useSampleAppsOnMySql } from './harness/sample-apps-on-mysql.js';
import { SourceAddressHttpClient } from './harness/source-address-http.js';

const INVALID_CREDENTIALS = { statusCode: 401, message: '用户名或密码错误', error: 'Unauthorized' };
/** What the sample's users table must hold: argon2id PHC strings with OWASP's minimum parameters. */
const CURRENT_HASH = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
/** A second client IP: all of 127/8 is loopback on Linux, the app listens on 127.0.0.1. */
const OTHER_IP = '127.0.0.2';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

const unique = (prefix: string): string => `${prefix}-${randomBytes(4).toString('hex')}`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A 429 as the library documents it: `Retry-After` in whole seconds and Nest's error body. */
function expectThrottled(response: HttpResult, maxRetryAfterSeconds: number): void {
  expect(response.status).toBe(429);
  expect(response.body).toEqual({ statusCode: 429, message: expect.stringMatching(/^Too many attempts/), error: 'Too Many Requests' });
  const retryAfter = response.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(maxRetryAfterSeconds);
}

// Brute force, user enumeration and password storage on the sample app over HTTP, against real MySQL.
describe('sample app: login hardening on MySQL', () => {
  const apps = useSampleAppsOnMySql();

  async function start(env: Record<string, string> = {}): Promise<{ http: HttpClient; fromOtherIp: SourceAddressHttpClient }> {
    const sample = await apps.start(env);
    return { http: new HttpClient(sample.baseUrl), fromOtherIp: new SourceAddressHttpClient(sample.baseUrl, OTHER_IP) };
  }

  async function register(http: HttpClient, username: string, password: string): Promise<void> {
    const response = await http.post('/user/register', { username, password });
    expect(response.status).toBe(201);
  }

  const login = (http: HttpClient | SourceAddressHttpClient, username: string, password: string): Promise<HttpResult<Tokens>> =>
    http.post<Tokens>('/user/login', { username, password });


  describe('user enumeration', () => {
    it('an unknown user and a wrong password get the same status, body and content type', async () => {
      const { http } = await start();
      const unknownUser = await login(http, unique('nobody'), 'whatever-1');
      const wrongPassword = await login(http, 'guang', 'not-the-password');

      expect(unknownUser.status).toBe(401);
      expect(wrongPassword.status).toBe(401);
      expect(unknownUser.body).toEqual(INVALID_CREDENTIALS);
      expect(wrongPassword.body).toEqual(unknownUser.body);
      expect(wrongPassword.headers.get('content-type')).toBe(unknownUser.headers.get('content-type'));
      expect(wrongPassword.headers.get('content-length')).toBe(unknownUser.headers.get('content-length'));
    });

    it('an unknown user takes about as long as a wrong password (both verify an argon2id hash)', async () => {
      // High limits: the 15 wrong passwords for one account must not be throttled (a 429 would be much faster).
      const { http } = await start({ LOGIN_MAX_FAILURES_PER_USERNAME_AND_IP: '1000', LOGIN_MAX_FAILURES_PER_IP: '1000' });
      const timed = async (username: string, password: string): Promise<number> => {
        const startedAt = performance.now();
        const response = await login(http, username, password);
        const elapsed = performance.now() - startedAt;
        expect(response.status).toBe(401);
        return elapsed;
      };
      // Warm-up: the first unknown-user login creates the dummy hash, the first of each path warms the pools.
      for (let i = 0; i < 3; i += 1) {
        await timed(unique('warmup'), 'Wrong-password-1');
        await timed('guang', 'Wrong-password-1');
      }

      const unknownUser: number[] = [];
      const wrongPassword: number[] = [];
      for (let i = 0; i < 15; i += 1) {
        unknownUser.push(await timed(unique('nobody'), `Wrong-password-${i}`));
        wrongPassword.push(await timed('guang', `Wrong-password-${i}`));
      }

      const [unknownMedian, wrongMedian] = [median(unknownUser), median(wrongPassword)];
      const larger = Math.max(unknownMedian, wrongMedian);
      // Both paths run argon2id (~15 ms each here). The 20 ms floor alone would not notice an unknown-user path that
      // skipped the hash (~2 ms), so the faster median must also be at least half the slower one.
      expect(Math.abs(unknownMedian - wrongMedian)).toBeLessThan(Math.max(20, 0.5 * larger));
      expect(Math.min(unknownMedian, wrongMedian)).toBeGreaterThan(0.5 * larger);
    });
  });

  describe('throttling', () => {
    it('after 10 failures for one account from one IP the 11th attempt is 429, even with the right password', async () => {
      const { http, fromOtherIp } = await start();
      const [victim, neighbour] = [unique('victim'), unique('neighbour')];
      await register(http, victim, 'Victim-pass-1');
      await register(http, neighbour, 'Neighbour-pass-1');

      for (let attempt = 1; attempt <= 10; attempt += 1) {
        const response = await login(http, victim, `Guess-${attempt}`);
        expect(response.status).toBe(401);
        expect(response.body).toEqual(INVALID_CREDENTIALS);
      }
      const blocked = await login(http, victim, 'Victim-pass-1');
      expectThrottled(blocked, 900);
      expect(blocked.body).not.toHaveProperty('access_token');
      // Case and surrounding spaces do not open a new counter.
      expectThrottled(await login(http, ` ${victim.toUpperCase()} `, 'Victim-pass-1'), 900);

      // Another account from the same IP is not affected.
      expect((await login(http, neighbour, 'Neighbour-pass-1')).status).toBe(201);
      // The real user from another IP still gets in, and the attacker's IP stays blocked for that account.
      const elsewhere = await login(fromOtherIp, victim, 'Victim-pass-1');
      expect(elsewhere.status).toBe(201);
      expect((await http.get('/bbb', elsewhere.body.access_token)).status).toBe(200);
      expectThrottled(await login(http, victim, 'Victim-pass-1'), 900);
    });

    it('a successful login before the limit forgives the earlier failures of that account and IP', async () => {
      const { http } = await start();
      const user = unique('forgetful');
      await register(http, user, 'Forgetful-pass-1');
      for (let attempt = 1; attempt <= 9; attempt += 1) expect((await login(http, user, `Guess-${attempt}`)).status).toBe(401);
      expect((await login(http, user, 'Forgetful-pass-1')).status).toBe(201);
      for (let attempt = 1; attempt <= 9; attempt += 1) expect((await login(http, user, `Again-${attempt}`)).status).toBe(401);
      expect((await login(http, user, 'Forgetful-pass-1')).status).toBe(201);
    });

    it('per IP: with LOGIN_MAX_FAILURES_PER_IP=5, the 6th failure from one IP over different usernames is 429', async () => {
      const { http, fromOtherIp } = await start({ LOGIN_MAX_FAILURES_PER_IP: '5' });
      for (let attempt = 1; attempt <= 5; attempt += 1) {
        expect((await login(http, unique('spray'), 'Spray-pass-1')).status).toBe(401);
      }
      expectThrottled(await login(http, unique('spray'), 'Spray-pass-1'), 900);
      // The whole IP is blocked, whatever account it tries...
      expectThrottled(await login(http, 'guang', '123456'), 900);
      // ...while other clients are not.
      expect((await login(fromOtherIp, 'guang', '123456')).status).toBe(201);
    });

    it('refresh: with REFRESH_MAX_PER_MINUTE_PER_IP=5, the 6th refresh from one IP within a minute is 429', async () => {
      const { http, fromOtherIp } = await start({ REFRESH_MAX_PER_MINUTE_PER_IP: '5' });
      const initial = await login(http, 'guang', '123456');
      expect(initial.status).toBe(201);
      let current = initial.body.refresh_token;
      for (let refresh = 1; refresh <= 5; refresh += 1) {
        const response = await http.post<Tokens>('/user/refresh', { refresh_token: current });
        expect(response.status).toBe(201);
        current = response.body.refresh_token;
      }
      const throttled = await http.post('/user/refresh', { refresh_token: current });
      expectThrottled(throttled, 60);

      // The throttled request consumed nothing: the same token still rotates from another IP.
      const elsewhere = await fromOtherIp.post<Tokens>('/user/refresh', { refresh_token: current });
      expect(elsewhere.status).toBe(201);
      expect((await http.get('/bbb', elsewhere.body.access_token)).status).toBe(200);
    });

    it('RATE_LIMIT_ENABLED=false: 30 failures never give 429, and the right password still logs in', async () => {
      const { http } = await start({ RATE_LIMIT_ENABLED: 'false' });
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 30; attempt += 1) statuses.push((await login(http, 'guang', `Guess-${attempt}`)).status);
      expect(statuses).toEqual(Array(30).fill(401));
      expect((await login(http, 'guang', '123456')).status).toBe(201);
    });
  });

  describe('password storage', () => {
    it('the users table holds argon2id PHC hashes only, never the password', async () => {
      const { http } = await start();
      const username = unique('stored');
      await register(http, username, 'Stored-pass-1');
      const rows = await apps.database.query<{ username: string; password: string }>('SELECT username, password FROM `user`');
      // guang (seeded), the registered users of the throttling tests and this one: every row is a current argon2id hash.
      expect(rows.map((row) => row.username)).toEqual(expect.arrayContaining(['guang', username]));
      for (const row of rows) expect(row.password).toMatch(CURRENT_HASH);
      const stored = rows.find((row) => row.username === username)!;
      expect(stored.password).not.toContain('Stored-pass-1');
      // The salt is random: two users with one password never share a hash.
      await register(http, `${username}-twin`, 'Stored-pass-1');
      const [twin] = await apps.database.query<{ password: string }>('SELECT password FROM `user` WHERE username = ?', [`${username}-twin`]);
      expect(twin.password).toMatch(CURRENT_HASH);
      expect(twin.password).not.toBe(stored.password);
    });

    it('a user with a weaker argon2 hash logs in and the stored hash is upgraded to m=19456,t=2', async () => {
      const { http } = await start();
      const username = unique('legacy');
      const password = 'Legacy-pass-1';
      const weakHash = await new Argon2PasswordHasher({ memoryCost: 4096, timeCost: 1 }).hash(password);
      expect(weakHash).toMatch(/^\$argon2id\$v=19\$m=4096,t=1,p=1\$/);
      await apps.database.query('INSERT INTO `user` (username, password) VALUES (?, ?)', [username, weakHash]);

      const first = await login(http, username, password);
      expect(first.status).toBe(201);
      expect((await http.get('/bbb', first.body.access_token)).status).toBe(200);

      const [row] = await apps.database.query<{ password: string }>('SELECT password FROM `user` WHERE username = ?', [username]);
      expect(row.password).toMatch(CURRENT_HASH);
      expect(row.password).not.toBe(weakHash);
      expect(await new Argon2PasswordHasher().verify(row.password, password)).toBe(true);

      // The upgraded hash keeps working, and still refuses a wrong password.
      expect((await login(http, username, password)).status).toBe(201);
      expect((await login(http, username, 'Legacy-pass-2')).status).toBe(401);
      const [again] = await apps.database.query<{ password: string }>('SELECT password FROM `user` WHERE username = ?', [username]);
      expect(again.password).toBe(row.password);
    });
  });
});
