import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createAuthFetch, createAuthSession, type AuthSessionOptions, type FetchLike } from './index.js';
import { FakeAuthServer, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);

async function loggedIn(options: Partial<AuthSessionOptions> = {}) {
  const clock = new ManualClock(START);
  const server = new FakeAuthServer({ clock });
  // Other origins are answered by the same fake so we can see what would have been sent to them.
  const transport: FetchLike = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return server.fetch(url.startsWith(server.origin) ? input : rewriteOrigin(input, url), init);
  };
  const session = createAuthSession({ baseUrl: server.origin, fetch: transport, clock, ...options });
  const { accessToken } = await session.login('alice', 'secret');
  return { clock, server, session, accessToken };
}

/** Sends requests for foreign origins to the fake server but keeps the original origin visible in a header. */
function rewriteOrigin(input: RequestInfo | URL, url: string): RequestInfo | URL {
  const parsed = new URL(url);
  const target = `https://api.test/api/foreign${parsed.pathname}?origin=${encodeURIComponent(parsed.origin)}`;
  return input instanceof Request ? new Request(target, input) : target;
}

describe('createAuthFetch: which requests get the token', () => {
  it('attaches the bearer token to the API origin only', async () => {
    const { server, session, accessToken } = await loggedIn();
    await session.fetch('https://api.test/api/mine');
    await session.fetch('https://evil.test/steal');
    await session.fetch('http://api.test/api/plain-http'); // different scheme = different origin
    await session.fetch(new URL('https://api.test/api/url-object'));

    const auth = server.apiRequests.map((r) => [r.url, r.headers['authorization']]);
    expect(auth).toEqual([
      ['https://api.test/api/mine', `Bearer ${accessToken}`],
      [expect.stringContaining('origin=https%3A%2F%2Fevil.test'), undefined],
      [expect.stringContaining('origin=http%3A%2F%2Fapi.test'), undefined],
      ['https://api.test/api/url-object', `Bearer ${accessToken}`],
    ]);
  });

  it('resolves relative URLs against baseUrl, for the request and the origin check (in Node too)', async () => {
    const { server, session, accessToken } = await loggedIn();
    await session.fetch('/api/relative');
    await session.fetch('api/no-leading-slash?x=1');
    await session.fetch('//evil.test/steal'); // protocol-relative: another origin, no token

    expect(server.apiRequests.map((r) => [r.url, r.headers['authorization']])).toEqual([
      ['https://api.test/api/relative', `Bearer ${accessToken}`],
      ['https://api.test/api/no-leading-slash?x=1', `Bearer ${accessToken}`],
      [expect.stringContaining('origin=https%3A%2F%2Fevil.test'), undefined],
    ]);
  });

  it('honours allowedOrigins', async () => {
    const { server, session, accessToken } = await loggedIn({ allowedOrigins: ['https://files.test', 'https://api.test/'] });
    await session.fetch('https://files.test/doc');
    await session.fetch('https://api.test/api/x');
    await session.fetch('https://other.test/x');
    expect(server.apiRequests.map((r) => r.headers['authorization'])).toEqual([
      `Bearer ${accessToken}`,
      `Bearer ${accessToken}`,
      undefined,
    ]);
  });

  it('never intercepts the refresh call: a 401 from the refresh endpoint is returned and triggers nothing', async () => {
    const { server, session } = await loggedIn();
    const response = await session.fetch('https://api.test/user/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: 'stolen' }),
    });
    expect(response.status).toBe(401);
    expect(server.refreshCalls).toBe(1);
    const call = server.requests.find((r) => r.path === '/user/refresh')!;
    expect(call.headers['authorization']).toBeUndefined();
  });

  it('leaves requests with their own Authorization header alone (no replay either)', async () => {
    const { server, session } = await loggedIn();
    server.expireAllAccess();
    const response = await session.fetch('https://api.test/api/x', { headers: { Authorization: 'Bearer custom' } });
    expect(response.status).toBe(401);
    expect(server.apiRequests.map((r) => r.headers['authorization'])).toEqual(['Bearer custom']);
    expect(server.refreshCalls).toBe(0);
  });

  it('wraps any fetch implementation', async () => {
    const { session, server, accessToken } = await loggedIn();
    const seen: string[] = [];
    const counting: FetchLike = (input, init) => {
      seen.push(new Headers(init?.headers).get('authorization') ?? '');
      return server.fetch(input, init);
    };
    const authFetch = createAuthFetch(session, counting);
    const response = await authFetch('https://api.test/api/x');
    expect(response.status).toBe(200);
    expect(seen).toEqual([`Bearer ${accessToken}`]);
  });
});

describe('createAuthFetch: replay after refresh', () => {
  const bodies: Array<[string, () => BodyInit, (sent: string) => void]> = [
    ['string', () => '{"a":1}', (sent) => expect(sent).toBe('{"a":1}')],
    ['URLSearchParams', () => new URLSearchParams({ q: 'x y' }), (sent) => expect(sent).toBe('q=x+y')],
    ['Blob', () => new Blob(['blob-bytes']), (sent) => expect(sent).toBe('blob-bytes')],
    ['ArrayBuffer', () => new TextEncoder().encode('buffer-bytes').buffer as ArrayBuffer, (sent) => expect(sent).toBe('buffer-bytes')],
    ['Uint8Array', () => new TextEncoder().encode('view-bytes'), (sent) => expect(sent).toBe('view-bytes')],
    [
      'FormData',
      () => {
        const form = new FormData();
        form.append('field', 'value');
        form.append('file', new Blob(['file-content']), 'a.txt');
        return form;
      },
      (sent) => {
        expect(sent).toContain('name="field"');
        expect(sent).toContain('value');
        expect(sent).toContain('filename="a.txt"');
        expect(sent).toContain('file-content');
      },
    ],
  ];

  it.each(bodies)('replays a %s body identically', async (_name, makeBody, check) => {
    const { server, session } = await loggedIn();
    server.expireAllAccess();
    const response = await session.fetch('https://api.test/api/upload', { method: 'POST', body: makeBody() });
    expect(response.status).toBe(200);
    const [first, replay] = server.apiRequests;
    expect(replay).toBeDefined();
    check(first!.body);
    check(replay!.body);
    expect(replay!.headers['authorization']).toBe(`Bearer ${await session.getAccessToken()}`);
  });

  it('sends the body as it was at call time even if the caller mutates it afterwards', async () => {
    const { server, session } = await loggedIn();
    server.expireAllAccess();
    const params = new URLSearchParams({ v: 'original' });
    const bytes = new TextEncoder().encode('AAAA');
    const pending = Promise.all([
      session.fetch('https://api.test/api/p', { method: 'POST', body: params }),
      session.fetch('https://api.test/api/b', { method: 'POST', body: bytes }),
    ]);
    params.set('v', 'mutated');
    bytes.fill(66);
    await pending;
    expect(server.apiRequests.filter((r) => r.path === '/api/p').map((r) => r.body)).toEqual(['v=original', 'v=original']);
    expect(server.apiRequests.filter((r) => r.path === '/api/b').map((r) => r.body)).toEqual(['AAAA', 'AAAA']);
  });

  it('keeps method, custom headers and body of a Request object on replay', async () => {
    const { server, session } = await loggedIn();
    server.expireAllAccess();
    const request = new Request('https://api.test/api/req', {
      method: 'PUT',
      headers: { 'x-trace': 't-1', 'content-type': 'text/plain' },
      body: 'request-body',
    });
    const response = await session.fetch(request);
    expect(response.status).toBe(200);
    const [first, replay] = server.apiRequests;
    for (const sent of [first!, replay!]) {
      expect(sent.method).toBe('PUT');
      expect(sent.body).toBe('request-body');
      expect(sent.headers['x-trace']).toBe('t-1');
    }
    expect(replay!.headers['authorization']).toBe(`Bearer ${await session.getAccessToken()}`);
  });

  it('does not replay a ReadableStream body: the 401 is returned as is', async () => {
    const { server, session } = await loggedIn();
    server.expireAllAccess();
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'));
        controller.close();
      },
    });
    const response = await session.fetch('https://api.test/api/stream', {
      method: 'POST',
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(401);
    expect(server.apiRequests).toHaveLength(1);
    expect(server.apiRequests[0]!.body).toBe('streamed');
  });

  it('rejects with the typed error when the refresh fails, instead of returning the 401', async () => {
    const { server, session } = await loggedIn();
    server.expireAllAccess();
    server.refreshBehavior = 'reject';
    await expect(session.fetch('https://api.test/api/x')).rejects.toMatchObject({ name: 'SessionEndedError' });
  });

  it.each([
    ['a Node Readable', () => Readable.from([Buffer.from('stream'), Buffer.from('ed')])],
    [
      'an async iterable',
      () =>
        (async function* () {
          yield new TextEncoder().encode('stream');
          yield new TextEncoder().encode('ed');
        })(),
    ],
  ])('never replays %s body (issue 17 item 7): the 401 comes back, the session is refreshed, a resend works', async (_name, makeBody) => {
    const { server, session, accessToken } = await loggedIn();
    server.expireAllAccess();
    const send = () => session.fetch('https://api.test/api/upload', { method: 'POST', body: makeBody(), duplex: 'half' } as unknown as RequestInit);

    const response = await send();
    expect(response.status).toBe(401);
    expect(server.apiRequests.map((r) => r.body)).toEqual(['streamed']); // sent once, never again empty
    expect(server.refreshCalls).toBe(1);
    expect(await session.getAccessToken()).not.toBe(accessToken);

    const again = await send();
    expect(again.status).toBe(200);
    expect(server.apiRequests.map((r) => r.body)).toEqual(['streamed', 'streamed']);
  });
});
