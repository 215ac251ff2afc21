import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import axios, { AxiosError, AxiosHeaders, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { createAuthSession, installAxiosInterceptors, RefreshFailedError, SessionEndedError } from './index.js';
import { deferred, FakeAuthServer, flush, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);

/** A real axios instance whose transport is the fake server (custom adapter, no network). */
function axiosFor(server: FakeAuthServer, baseURL = server.origin): AxiosInstance {
  return axios.create({
    baseURL,
    adapter: async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
      const url = new URL(config.url ?? '', config.baseURL).href;
      const headers = AxiosHeaders.from(config.headers).toJSON() as Record<string, string>;
      const init: RequestInit = { method: (config.method ?? 'get').toUpperCase(), headers };
      if (config.data !== undefined) init.body = config.data as BodyInit;
      if (config.signal instanceof AbortSignal) init.signal = config.signal;
      const res = await server.fetch(url, init);
      const response: AxiosResponse = {
        data: await res.json(),
        status: res.status,
        statusText: res.statusText,
        headers: Object.fromEntries(res.headers),
        config,
        request: {},
      };
      if (res.status >= 200 && res.status < 300) return response;
      throw new AxiosError(`Request failed with status code ${res.status}`, 'ERR_BAD_REQUEST', config, {}, response);
    },
  });
}

async function setup() {
  const clock = new ManualClock(START);
  const server = new FakeAuthServer({ clock });
  const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock });
  const { accessToken } = await session.login('alice', 'secret');
  const http = axiosFor(server);
  const eject = installAxiosInterceptors(http, session);
  return { server, session, http, eject, accessToken };
}

describe('installAxiosInterceptors', () => {
  it('attaches the bearer token for the API origin and not for other origins', async () => {
    const { server, http, accessToken } = await setup();
    await http.get('/api/mine');
    await http.get('https://elsewhere.test/api/theirs').catch(() => undefined);
    expect(server.apiRequests.map((r) => [r.url, r.headers['authorization']])).toEqual([
      ['https://api.test/api/mine', `Bearer ${accessToken}`],
      ['https://elsewhere.test/api/theirs', undefined],
    ]);
  });

  it('turns 10 concurrent 401s into one refresh and replays each request once with the new token', async () => {
    const { server, session, http, accessToken } = await setup();
    server.expireAllAccess();
    const gate = deferred();
    server.refreshGate = gate.promise;

    const pending = Promise.all(Array.from({ length: 10 }, (_, i) => http.post(`/api/items/${i}`, { n: i })));
    await flush();
    expect(server.refreshCalls).toBe(1);
    gate.resolve();
    const responses = await pending;

    const fresh = await session.getAccessToken();
    expect(fresh).not.toBe(accessToken);
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(responses.map((r) => JSON.parse((r.data as { body: string }).body))).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ n: i })),
    );
    expect(server.refreshCalls).toBe(1);
    expect(server.apiRequests.slice(10).every((r) => r.headers['authorization'] === `Bearer ${fresh}`)).toBe(true);
  });

  it('replays at most once: a 401 on the replay rejects with that AxiosError and no second refresh', async () => {
    const { server, session, http } = await setup();
    server.expireAllAccess();
    // Bounded so that a looping implementation ends (with a 200) and fails the assertions instead of hanging.
    session.on('refreshed', (e) => e.refreshCount <= 3 && server.expireAllAccess());
    const error = await http.get('/api/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(server.refreshCalls).toBe(1);
    expect(server.apiRequests).toHaveLength(2);
  });

  it('rejects every waiter with SessionEndedError when the refresh is rejected', async () => {
    const { server, session, http } = await setup();
    server.expireAllAccess();
    server.refreshBehavior = 'reject';
    const ended: unknown[] = [];
    session.on('sessionEnded', (e) => ended.push(e));
    const results = await Promise.allSettled([http.get('/api/a'), http.get('/api/b'), http.get('/api/c')]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      expect((result as PromiseRejectedResult).reason).toBeInstanceOf(SessionEndedError);
    }
    expect(ended).toHaveLength(1);
    expect(server.refreshCalls).toBe(1);
  });

  it('rejects with RefreshFailedError on a 5xx refresh and keeps the tokens', async () => {
    const { server, session, http, accessToken } = await setup();
    server.expireAllAccess();
    server.refreshBehavior = 'error500';
    await expect(http.get('/api/a')).rejects.toBeInstanceOf(RefreshFailedError);
    expect(await session.getAccessToken()).toBe(accessToken);
  });

  it('never intercepts the refresh endpoint, even when it is called through axios', async () => {
    const { server, http } = await setup();
    const error = await http.post('/user/refresh', { refresh_token: 'bogus' }).catch((e: unknown) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    const call = server.requests.find((r) => r.path === '/user/refresh')!;
    expect(call.headers['authorization']).toBeUndefined();
    expect(server.refreshCalls).toBe(1);
  });

  it('leaves requests that set their own Authorization alone', async () => {
    const { server, http } = await setup();
    server.expireAllAccess();
    const error = await http.get('/api/x', { headers: { Authorization: 'Bearer mine' } }).catch((e: unknown) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(server.apiRequests[0]!.headers['authorization']).toBe('Bearer mine');
    expect(server.refreshCalls).toBe(0);
  });

  it('rejects only the aborted request while it waits for the refresh', async () => {
    const { server, http } = await setup();
    server.expireAllAccess();
    const gate = deferred();
    server.refreshGate = gate.promise;
    const controller = new AbortController();
    const kept = http.get('/api/kept');
    const aborted = http.get('/api/aborted', { signal: controller.signal }).catch((e: unknown) => e);
    await flush();
    controller.abort();
    expect(await aborted).toMatchObject({ name: 'AbortError' });
    gate.resolve();
    expect((await kept).status).toBe(200);
    expect(server.refreshCalls).toBe(1);
  });

  it('eject() removes both interceptors', async () => {
    const { server, http, eject } = await setup();
    eject();
    server.expireAllAccess();
    const error = await http.get('/api/x').catch((e: unknown) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(server.apiRequests[0]!.headers['authorization']).toBeUndefined();
    expect(server.refreshCalls).toBe(0);
  });

  it('works with a minimal axios-like object (plain header objects)', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock });
    const { accessToken } = await session.login('alice', 'secret');
    type Handler = { fulfilled?: ((c: any) => any) | null; rejected?: ((e: any) => any) | null };
    const requestHandlers = new Map<number, Handler>();
    const responseHandlers = new Map<number, Handler>();
    let nextId = 0;
    const fake = {
      interceptors: {
        request: {
          use: (fulfilled?: Handler['fulfilled'], rejected?: Handler['rejected']) => (requestHandlers.set(++nextId, { fulfilled, rejected }), nextId),
          eject: (id: number) => void requestHandlers.delete(id),
        },
        response: {
          use: (fulfilled?: Handler['fulfilled'], rejected?: Handler['rejected']) => (responseHandlers.set(++nextId, { fulfilled, rejected }), nextId),
          eject: (id: number) => void responseHandlers.delete(id),
        },
      },
      async request(config: { url: string; headers?: Record<string, string> }): Promise<unknown> {
        for (const h of requestHandlers.values()) config = (await h.fulfilled?.(config)) ?? config;
        const res = await server.fetch(config.url, { headers: config.headers ?? {} });
        if (res.ok) return res.json();
        let error: unknown = Object.assign(new Error('HTTP error'), { config, response: { status: res.status } });
        for (const h of responseHandlers.values()) {
          if (!h.rejected) continue;
          try {
            return await h.rejected(error);
          } catch (e) {
            error = e;
          }
        }
        throw error;
      },
    };
    const eject = installAxiosInterceptors(fake, session);
    server.expireAllAccess();
    await expect(fake.request({ url: 'https://api.test/api/x' })).resolves.toMatchObject({ ok: true });
    expect(server.apiRequests.map((r) => r.headers['authorization'])).toEqual([
      `Bearer ${accessToken}`,
      `Bearer ${await session.getAccessToken()}`,
    ]);
    eject();
    expect(requestHandlers.size + responseHandlers.size).toBe(0);
  });

  it('never replays a stream body (issue 17 item 7): the 401 rejects, the session is refreshed, a resend works', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock });
    await session.login('alice', 'secret');
    // Like axios's http adapter: a stream body is piped into the request, i.e. read (and used up) by sending it.
    const http = axios.create({
      baseURL: server.origin,
      adapter: async (config: InternalAxiosRequestConfig): Promise<AxiosResponse> => {
        let body = '';
        if (config.data instanceof Readable) for await (const chunk of config.data) body += String(chunk);
        const headers = AxiosHeaders.from(config.headers).toJSON() as Record<string, string>;
        const res = await server.fetch(new URL(config.url!, config.baseURL).href, { method: 'POST', headers, body });
        const response: AxiosResponse = { data: await res.json(), status: res.status, statusText: '', headers: {}, config, request: {} };
        if (res.ok) return response;
        throw new AxiosError(`Request failed with status code ${res.status}`, 'ERR_BAD_REQUEST', config, {}, response);
      },
    });
    installAxiosInterceptors(http, session);
    server.expireAllAccess();

    const error = await http.post('/api/upload', Readable.from(['streamed'])).catch((e: unknown) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(server.apiRequests.map((r) => r.body)).toEqual(['streamed']);
    expect(server.refreshCalls).toBe(1);

    const again = await http.post('/api/upload', Readable.from(['streamed']));
    expect(again.status).toBe(200);
  });
});
