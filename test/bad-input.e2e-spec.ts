import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { HttpClient } from './harness/http-client.js';
import { startSampleAppOnMySql, type SampleAppOnMySql } from './harness/sample-apps-on-mysql.js';

// Bad input to login, refresh and register: always a 4xx that says what is wrong, never a 500.
describe('sample app: bad input', () => {
  let suite: SampleAppOnMySql;
  let http: HttpClient;

  beforeAll(async () => {
    suite = await startSampleAppOnMySql();
    ({ http } = suite);
  }, 180_000);

  afterAll(async () => {
    await suite?.stop();
  });

  const messagesOf = (body: { message: string | string[] }): string => [body.message].flat().join(' | ');

  it.each([
    ['an empty object', {}, /username/],
    ['no password', { username: 'guang' }, /password/],
    ['no username', { password: '123456' }, /username/],
    ['a numeric username', { username: 123, password: '123456' }, /username must be a string/],
    ['an array password', { username: 'guang', password: ['123456'] }, /password must be a string/],
    ['an object username', { username: { $gt: '' }, password: 'x' }, /username must be a string/],
    ['null fields', { username: null, password: null }, /username/],
    ['empty strings', { username: '', password: '' }, /should not be empty/],
    ['a 2000-character password', { username: 'guang', password: 'p'.repeat(2000) }, /password must be shorter than or equal to 1024/],
  ])('login with %s → 400 naming the field', async (_case, body, message) => {
    const response = await http.post('/user/login', body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(messagesOf(response.body)).toMatch(message);
  });

  it.each([
    ['/user/login', { username: 'alice' }, 'password should not be empty'],
    ['/user/login', { password: 'secret' }, 'username should not be empty'],
    ['/user/login', { username: 'alice', password: 42 }, 'password must be a string'],
    ['/user/login', { username: 'u'.repeat(300), password: 'secret' }, 'username must be shorter than or equal to 256 characters'],
    ['/user/refresh', { refresh_token: '' }, 'refresh_token should not be empty'],
    ['/user/refresh', { refresh_token: 42 }, 'refresh_token must be a string'],
    ['/user/register', { username: 'new_user' }, 'password should not be empty'],
    ['/user/register', { password: 'password-123' }, 'username should not be empty'],
    ['/user/register', { username: 7, password: 'password-123' }, 'username must be a string'],
    ['/user/register', { username: 'new_user', password: 'short1' }, 'password must be 8 to 128 characters'],
  ])('%s with %j → 400 whose first message is "%s" (missing, then type, then length)', async (path, body, message) => {
    const response = await http.post(path, body);
    expect(response.status).toBe(400);
    expect([response.body.message].flat()[0]).toMatch(message);
  });

  it.each([
    ['an empty object', {}],
    ['a number', { refresh_token: 42 }],
    ['an array', { refresh_token: ['a'] }],
    ['an empty string', { refresh_token: '' }],
  ])('refresh with %s → 400 naming refresh_token', async (_case, body) => {
    const response = await http.post('/user/refresh', body);
    expect(response.status).toBe(400);
    expect(messagesOf(response.body)).toMatch(/refresh_token/);
  });

  it.each(['garbage', 'a.b.c', 'x'.repeat(5000), 'y'.repeat(10_240), 'eyJhbGciOiJub25lIn0.e30.', '\u00ff\u00fe.\u00fd.\u00fc'])(
    'refresh with the garbage token %#  → 401',
    async (token) => {
      const response = await http.post('/user/refresh', { refresh_token: token });
      expect(response.status).toBe(401);
      expect((await http.get(`/user/refresh?refresh_token=${encodeURIComponent(token)}`)).status).toBe(401);
    },
  );

  it('refresh via GET without a token, or with repeated/nested query parameters → 401', async () => {
    for (const query of ['', '?refresh_token=', '?refresh_token=a&refresh_token=b', '?refresh_token[x]=1']) {
      const response = await http.get(`/user/refresh${query}`);
      expect(response.status).toBe(401);
    }
  });

  it.each([
    ['/user/login', '{"username": "guang", "password": '],
    ['/user/login', '{username: guang}'],
    ['/user/refresh', '{"refresh_token": "abc"'],
    ['/user/register', 'not json at all'],
  ])('malformed JSON to %s → 400', async (path, raw) => {
    const response = await http.postRaw(path, raw);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400 });
  });

  it('a JSON body that is not an object (array, string, number) → 400', async () => {
    for (const raw of ['[1,2,3]', '"guang"', '42', 'null']) {
      expect((await http.postRaw('/user/login', raw)).status).toBe(400);
      expect((await http.postRaw('/user/refresh', raw)).status).toBe(400);
    }
  });

  it('an oversized body → 413', async () => {
    const response = await http.postRaw('/user/login', JSON.stringify({ username: 'guang', password: 'p'.repeat(300_000) }));
    expect(response.status).toBe(413);
  });

  it('login without a body or with another content type → 400, not 500', async () => {
    expect((await http.post('/user/login')).status).toBe(400);
    expect((await http.postRaw('/user/login', 'username=guang&password=123456', 'text/plain')).status).toBe(400);
  });

  it('form-encoded credentials work like JSON (the body parser understands them)', async () => {
    const response = await http.postRaw('/user/login', 'username=guang&password=123456', 'application/x-www-form-urlencoded');
    expect(response.status).toBe(201);
  });

  it('register with missing or invalid fields → 400 with the rule in the message', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /username/],
      [{ username: 'ok_name', password: 12345678 }, /password must be a string/],
      [{ username: 'x', password: 'long-enough-1' }, /username must be 3 to 50 characters/],
      [{ username: 'bad name!', password: 'long-enough-1' }, /username must be 3 to 50 characters/],
      [{ username: 'valid_name', password: 'onlyletters' }, /at least one letter and one digit/],
      [{ username: 'valid_name', password: '12345678' }, /at least one letter and one digit/],
    ];
    for (const [body, message] of cases) {
      const response = await http.post('/user/register', body);
      expect(response.status).toBe(400);
      expect(messagesOf(response.body)).toMatch(message);
    }
  });
});
