import { describe, expect, it } from '@jest/globals';
import { createAuthFetch, createAuthSession, replayableBodies, type BodyReplayPlugin } from './core/index.js';
import { FakeAuthServer, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);

async function loggedIn(replayBodies?: BodyReplayPlugin) {
  const clock = new ManualClock(START);
  const server = new FakeAuthServer({ clock });
  const session = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, replayBodies });
  await session.login('alice', 'secret');
  server.expireAllAccess();
  return { server, session };
}

// The lean client replays bodiless and string-bodied requests; other bodies only with the replayBodies plugin (the
// compatible entry always has it, see fetch-adapter.spec.ts).
describe('replayBodies plugin of the lean client (client/core)', () => {
  const replayedAnyway: Array<[string, string | undefined, string]> = [
    ['no body', undefined, 'GET'],
    ['a string body', '{"a":1}', 'POST'],
  ];
  it.each(replayedAnyway)('without it, a request with %s is still replayed after the refresh', async (_name, body, method) => {
    const { server, session } = await loggedIn();
    const response = await session.fetch(`${server.origin}/api/x`, { method, body });
    expect(response.status).toBe(200);
    expect(server.apiRequests.map((r) => r.body)).toEqual([body ?? '', body ?? '']);
  });

  it('without it, a bodiless Request object is still replayed', async () => {
    const { server, session } = await loggedIn();
    expect((await session.fetch(new Request(`${server.origin}/api/x`, { headers: { 'x-trace': 't' } }))).status).toBe(200);
    expect(server.apiRequests.map((r) => r.headers['x-trace'])).toEqual(['t', 't']);
  });

  const sentOnce: Array<[string, (url: string) => [RequestInfo, RequestInit?]]> = [
    ['URLSearchParams', (url) => [url, { method: 'POST', body: new URLSearchParams({ q: 'x' }) }]],
    ['Uint8Array', (url) => [url, { method: 'POST', body: new TextEncoder().encode('bytes') }]],
    ['Request with a body', (url) => [new Request(url, { method: 'PUT', body: 'request-body' })]],
  ];
  it.each(sentOnce)('without it, a %s is sent once: the session refreshes and the 401 is returned', async (_name, call) => {
    const { server, session } = await loggedIn();
    const response = await session.fetch(...call(`${server.origin}/api/x`));
    expect(response.status).toBe(401);
    expect(server.apiRequests).toHaveLength(1);
    expect(server.refreshCalls).toBe(1);
  });

  it('with it, such bodies are replayed as they were at call time', async () => {
    const { server, session } = await loggedIn(replayableBodies());
    const bytes = new TextEncoder().encode('AAAA');
    const pending = Promise.all([
      session.fetch(`${server.origin}/api/b`, { method: 'POST', body: bytes }),
      session.fetch(new Request(`${server.origin}/api/r`, { method: 'PUT', body: 'request-body' })),
    ]);
    bytes.fill(66);
    expect((await pending).map((r) => r.status)).toEqual([200, 200]);
    expect(server.apiRequests.filter((r) => r.path === '/api/b').map((r) => r.body)).toEqual(['AAAA', 'AAAA']);
    expect(server.apiRequests.filter((r) => r.path === '/api/r').map((r) => r.body)).toEqual(['request-body', 'request-body']);
  });

  it('createAuthFetch of client/core takes it as an option too', async () => {
    const { server, session } = await loggedIn();
    const authFetch = createAuthFetch(session, server.fetch, { replayBodies: replayableBodies() });
    expect((await authFetch(`${server.origin}/api/x`, { method: 'POST', body: new URLSearchParams({ q: 'x' }) })).status).toBe(200);
    expect(server.apiRequests.map((r) => r.body)).toEqual(['q=x', 'q=x']);
  });
});
