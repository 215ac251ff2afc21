import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import axios, { AxiosHeaders, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { createAuthFetch, createAuthSession, installAxiosInterceptors, type FetchLike } from './index.js';
import { ManualClock } from './testing/index.js';

// Issue 17 item 4: the token goes only where the request really goes. Each row names a URL as a caller might write it
// and the origin a browser requests for it; the WHATWG URL parser (new URL) is the oracle that the expected origin is
// right, and the adapters must attach Authorization exactly when that origin is the API's.

const PAGE = 'https://app.example.com/dashboard/page';
const API = 'https://api.example.com';
const EVIL = 'https://evil.example';

/** Runs the specs as on a page at PAGE (what the client reads to resolve relative URLs like fetch does). */
function onPage(): void {
  const g = globalThis as { location?: unknown };
  let previous: unknown;
  beforeAll(() => {
    previous = g.location;
    g.location = { href: PAGE };
  });
  afterAll(() => {
    if (previous === undefined) delete g.location;
    else g.location = previous;
  });
}

async function loggedInSession(baseUrl: string) {
  const clock = new ManualClock(Date.UTC(2030, 0, 1));
  const authFetch: FetchLike = async () =>
    new Response(JSON.stringify({ access_token: 'the-access-token', refresh_token: 'r', expires_in: 900 }), { status: 201 });
  const session = createAuthSession({ baseUrl, fetch: authFetch, clock, crossTab: false });
  await session.login('alice', 'secret');
  return session;
}

describe('axios: the origin decision uses the URL axios will request', () => {
  onPage();

  // [url, extra config, origin the browser requests]
  const rows: Array<[string, Record<string, unknown>, string]> = [
    ['/users', {}, API],
    ['users', {}, API],
    ['//evil.example/steal', {}, EVIL],
    ['//EVIL.example:443/steal', {}, EVIL],
    ['\\\\evil.example/steal', {}, API], // not absolute for axios: joined to baseURL; the backslashes become a path
    ['/\\evil.example/steal', {}, API],
    [' //evil.example/steal', {}, API], // leading space: joined to baseURL, the space stays in the path
    ['\t//evil.example/steal', {}, API],
    ['HTTPS://EVIL.EXAMPLE/steal', {}, EVIL],
    ['https://api.example.com/ok', {}, API],
    ['https://api.example.com:443/ok', {}, API],
    ['http://api.example.com/insecure', {}, 'http://api.example.com'],
    ['https://api.example.com.evil.example/x', {}, 'https://api.example.com.evil.example'],
    ['https://api.example.com@evil.example/x', {}, EVIL],
    ['https://evil.example/x', { allowAbsoluteUrls: false }, API], // axios joins it under baseURL
    ['//evil.example/steal', { baseURL: '' }, EVIL],
    ['/api/x', { baseURL: '' }, 'https://app.example.com'], // no baseURL: the page's origin
  ];

  it.each(rows)('%j %j goes to %s and carries the token only if that is the API', async (url, extra, origin) => {
    const session = await loggedInSession(`${API}/v1`);
    const seen: Array<{ url: string; authorization: unknown }> = [];
    const http = axios.create({
      baseURL: `${API}/v1`,
      adapter: async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
        // What a browser transport does with it: resolve against the document.
        seen.push({ url: new URL(http.getUri(config), PAGE).href, authorization: AxiosHeaders.from(config.headers).get('authorization') });
        return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config, request: {} };
      },
    });
    installAxiosInterceptors(http, session);

    await http.get(url, extra);

    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!.url).origin).toBe(origin);
    expect(seen[0]!.authorization).toBe(origin === API ? 'Bearer the-access-token' : undefined);
    session.dispose();
  });

  it('a URL axios refuses ("https:" without "//") never gets the token; axios\'s own adapters then reject it', async () => {
    const session = await loggedInSession(`${API}/v1`);
    const authorizations: unknown[] = [];
    const http = axios.create({
      baseURL: `${API}/v1`,
      adapter: async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
        authorizations.push(AxiosHeaders.from(config.headers).get('authorization'));
        return { data: 'ok', status: 200, statusText: 'OK', headers: {}, config, request: {} };
      },
    });
    installAxiosInterceptors(http, session);
    expect(() => http.getUri({ url: 'https:evil.example/steal' })).toThrow(/Invalid URL/);
    await http.get('https:evil.example/steal');
    expect(authorizations).toEqual([undefined]);
    session.dispose();
  });
});

describe('fetch: the origin decision uses the URL fetch will request', () => {
  onPage();

  // [input, origin the browser requests]
  const rows: Array<[string, string]> = [
    ['/api/x', 'https://app.example.com'],
    ['api/x', 'https://app.example.com'],
    ['//evil.example/steal', EVIL],
    ['\\\\evil.example/steal', EVIL],
    ['/\\evil.example/steal', EVIL],
    [' //evil.example/steal', EVIL],
    ['\n\t//evil.example/steal', EVIL],
    ['HTTPS://APP.EXAMPLE.COM/api/x', 'https://app.example.com'],
    ['https:evil.example/steal', 'https://app.example.com'], // same scheme as the page: a relative path
    ['https:\\\\evil.example/steal', EVIL],
    ['http://app.example.com/api/x', 'http://app.example.com'],
  ];

  it.each(rows)('%j goes to %s and carries the token only if that is the API', async (input, origin) => {
    const session = await loggedInSession('/api');
    const seen: Array<{ url: string; authorization: string | null }> = [];
    const transport: FetchLike = async (requested, init) => {
      seen.push({ url: new URL(String(requested), PAGE).href, authorization: new Headers(init?.headers).get('authorization') });
      return new Response('ok');
    };

    await createAuthFetch(session, transport)(input);

    expect(seen).toHaveLength(1);
    expect(new URL(seen[0]!.url).origin).toBe(origin);
    expect(seen[0]!.authorization).toBe(origin === 'https://app.example.com' ? 'Bearer the-access-token' : null);
    session.dispose();
  });
});

describe('outside a browser', () => {
  it('a relative URL cannot be requested by fetch, so it never gets the token', async () => {
    const session = await loggedInSession(API);
    const seen: Array<string | null> = [];
    const transport: FetchLike = async (_input, init) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return new Response('ok');
    };
    await createAuthFetch(session, transport)('/users');
    await createAuthFetch(session, transport)(`${API}/users`);
    expect(seen).toEqual([null, 'Bearer the-access-token']);
    session.dispose();
  });
});
