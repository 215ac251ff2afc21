import { afterEach, describe, expect, it } from '@jest/globals';
import {
  createAuthSession,
  LocalStorageTokenStorage,
  type AuthSession,
  type AuthSessionOptions,
  type StorageLike,
  type TokenStorage,
} from './index.js';
import { decodeJwtPayload } from './jwt-expiry.js';
import { deferred, FakeAuthServer, FakeChannelHub, FakeLockManager, flush, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);
const API = 'https://api.test/api';

function storageArea(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

/** Whose session a tab is in, read from the access token it would send. */
async function userOf(session: AuthSession): Promise<string | null> {
  const token = await session.getAccessToken();
  return token === null ? null : (decodeJwtPayload(token)?.['sub'] as string);
}

function storedUser(area: { data: Map<string, string> }, key = 'k'): string | null {
  const raw = area.data.get(key);
  return raw === undefined ? null : (decodeJwtPayload(JSON.parse(raw).accessToken as string)?.['sub'] as string);
}

/** Two tabs on one shared storage with Web Locks and BroadcastChannel fakes; b's refreshes can be held. */
async function sharedTabs(storageFor: (area: ReturnType<typeof storageArea>) => StorageLike = (area) => area) {
  const clock = new ManualClock(START);
  const server = new FakeAuthServer({ clock, reuseGraceSeconds: 10 });
  const hub = new FakeChannelHub();
  const locks = new FakeLockManager();
  const area = storageArea();
  const make = (view: StorageLike): AuthSession =>
    createAuthSession({
      baseUrl: server.origin,
      fetch: server.fetch,
      clock,
      proactiveRefresh: false,
      storage: new LocalStorageTokenStorage({ key: 'k', storage: view }),
      crossTab: { channelName: 'sync', lockName: 'lock', locks, createChannel: hub.createChannel },
    });
  const a = make(area);
  const b = make(storageFor(area));
  await a.login('alice', 'secret');
  await flush();
  expect(await userOf(b)).toBe('alice');
  return { clock, server, hub, area, a, b };
}

/** Starts a refresh in b (through a 401) whose answer is held until the returned function is called. */
async function bRefreshInFlight(server: FakeAuthServer, b: AuthSession) {
  server.expireAllAccess();
  const gate = deferred();
  server.refreshGate = gate.promise;
  const request = b.fetch(`${API}/x`).then(
    (response) => response.status,
    (error: unknown) => error,
  );
  await flush();
  expect(server.refreshCalls).toBe(1);
  return {
    request,
    release: async () => {
      server.refreshGate = null;
      gate.resolve();
      await flush(10);
    },
  };
}

describe('issue 17 item 1: a login in one tab is not overwritten by another tab refreshing the old session', () => {
  it('the login is announced before the refresh answer lands: every tab ends up as bob', async () => {
    const { server, area, a, b } = await sharedTabs();
    const inFlight = await bRefreshInFlight(server, b);
    await a.login('bob', 'secret');
    await flush();
    await inFlight.release();

    expect(await userOf(a)).toBe('bob');
    expect(await userOf(b)).toBe('bob');
    expect(storedUser(area)).toBe('bob');
  });

  it('the refresh answer lands before the login message: the refreshing tab checks the storage under the lock and keeps out', async () => {
    const { server, hub, area, a, b } = await sharedTabs();
    const inFlight = await bRefreshInFlight(server, b);
    hub.pause();
    await a.login('bob', 'secret');
    await flush();
    await inFlight.release();
    hub.resume();
    await flush(10);

    expect(await userOf(a)).toBe('bob');
    expect(await userOf(b)).toBe('bob');
    expect(storedUser(area)).toBe('bob');
    expect(await inFlight.request).toBe(200); // b's waiting request went out again as bob
  });
});

describe('issue 17 item 2: a logout in one tab is not undone by another tab refreshing', () => {
  it('the refresh answer lands before the "logged out" message: nobody is logged in again and the storage stays empty', async () => {
    const { server, hub, area, a, b } = await sharedTabs();
    const aChanges: string[] = [];
    a.on('tokensChanged', (event) => aChanges.push(event.source));
    const inFlight = await bRefreshInFlight(server, b);
    hub.pause();
    await a.logout();
    await flush();
    await inFlight.release();
    hub.resume();
    await flush(10);

    expect(a.isAuthenticated).toBe(false);
    expect(b.isAuthenticated).toBe(false);
    expect(area.data.has('k')).toBe(false);
    expect(aChanges).toEqual(['logout']);
  });

  it('even when the refreshing tab does not see the cleared storage yet (a lagging view), the logout wins', async () => {
    // Once frozen, b no longer sees a's writes, like another renderer's copy of localStorage that lags behind.
    let view: Map<string, string> | null = null;
    const lagging = (truth: ReturnType<typeof storageArea>): StorageLike => ({
      getItem: (k) => (view ? (view.get(k) ?? null) : truth.getItem(k)),
      setItem: (k, v) => {
        view?.set(k, v);
        truth.setItem(k, v);
      },
      removeItem: (k) => {
        view?.delete(k);
        truth.removeItem(k);
      },
    });
    const { server, hub, area, a, b, clock } = await sharedTabs(lagging);
    view = new Map(area.data);
    const inFlight = await bRefreshInFlight(server, b);
    hub.pause();
    await a.logout();
    await flush();
    await inFlight.release(); // b still sees the old pair, stores its result and announces it
    hub.resume();
    await flush(10);
    clock.advance(50);
    await flush(10);

    expect(a.isAuthenticated).toBe(false);
    expect(b.isAuthenticated).toBe(false);
    expect(area.data.has('k')).toBe(false);
  });
});

describe('issue 17 item 5: per-tab storage is not shared, and sessions in Node do not hear each other', () => {
  const g = globalThis as { sessionStorage?: StorageLike };
  afterEach(() => {
    delete g.sessionStorage;
  });

  function perTabTabs() {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock, reuseGraceSeconds: 10 });
    const hub = new FakeChannelHub();
    const make = (storage: TokenStorage): AuthSession =>
      createAuthSession({
        baseUrl: server.origin,
        fetch: server.fetch,
        clock,
        proactiveRefresh: false,
        storage,
        crossTab: { channelName: 'sync', lockName: 'lock', locks: new FakeLockManager(), createChannel: hub.createChannel },
      });
    return { clock, server, make };
  }

  it('LocalStorageTokenStorage over sessionStorage is per tab', () => {
    g.sessionStorage = storageArea();
    expect(new LocalStorageTokenStorage({ storage: g.sessionStorage }).shared).toBe(false);
    expect(new LocalStorageTokenStorage({ storage: storageArea() }).shared).toBe(true);
  });

  it('two tabs with their own sessions: a logout or refresh in one leaves the other alone', async () => {
    const { make } = perTabTabs();
    g.sessionStorage = storageArea(); // tab 1's
    const first = make(new LocalStorageTokenStorage({ key: 'k', storage: g.sessionStorage }));
    const second = make(new LocalStorageTokenStorage({ key: 'k', storage: storageArea(), shared: false }));
    await first.login('alice', 'secret');
    await second.login('bob', 'secret');
    await flush();
    expect(await userOf(first)).toBe('alice');
    expect(await userOf(second)).toBe('bob');

    await first.refresh();
    await flush();
    await first.logout();
    await flush();
    expect(await userOf(second)).toBe('bob');
  });

  it('a duplicated tab (a copy of the per-tab storage) follows the original refreshes, so neither reuses a rotated token', async () => {
    const { make, server, clock } = perTabTabs();
    const originalArea = storageArea();
    const original = make(new LocalStorageTokenStorage({ key: 'k', storage: originalArea, shared: false }));
    await original.login('alice', 'secret');
    await flush();
    const copy = storageArea();
    for (const [k, v] of originalArea.data) copy.setItem(k, v);
    const duplicate = make(new LocalStorageTokenStorage({ key: 'k', storage: copy, shared: false }));
    await duplicate.ready;

    await original.refresh();
    await flush();
    expect(await duplicate.getTokens()).toEqual(await original.getTokens());

    clock.advance(60_000); // far beyond the reuse grace
    await duplicate.refresh();
    await flush();
    expect(server.reuseDetections).toBe(0);
    expect(await original.getAccessToken()).toBe(await duplicate.getAccessToken());
  });

  it('in Node, two sessions with their own storages and the default options never talk (real BroadcastChannel)', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const make = (options: Partial<AuthSessionOptions>): AuthSession =>
      createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, ...options });
    const alice = make({ storage: new LocalStorageTokenStorage({ storage: storageArea() }) });
    const bob = make({ storage: new LocalStorageTokenStorage({ storage: storageArea() }) });
    await alice.login('alice', 'secret');
    await bob.login('bob', 'secret');
    await alice.logout();
    await new Promise((resolve) => setTimeout(resolve, 50)); // real channels deliver on the event loop
    expect(await userOf(bob)).toBe('bob');
    alice.dispose();
    bob.dispose();
  });
});

describe('issue 17 item 9: a failed storage write is not announced as new tokens', () => {
  it('when the storage refuses the pair (quota), other tabs are not told about it', async () => {
    const clock = new ManualClock(START);
    const server = new FakeAuthServer({ clock });
    const hub = new FakeChannelHub();
    const full: StorageLike = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    const crossTab = { channelName: 'sync', lockName: 'lock', locks: null, createChannel: hub.createChannel };
    const a = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, storage: new LocalStorageTokenStorage({ key: 'k', storage: full, shared: false }), crossTab });
    const b = createAuthSession({ baseUrl: server.origin, fetch: server.fetch, clock, storage: new LocalStorageTokenStorage({ key: 'k', storage: storageArea(), shared: false }), crossTab });
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => void errors.push(args);
    try {
      await a.login('alice', 'secret');
      await a.refresh();
      await flush(10);
    } finally {
      console.error = originalError;
    }
    expect(errors.length).toBeGreaterThan(0); // the failure is reported…
    expect(hub.sent.filter((message) => (message.data as { type: string }).type === 'tokens')).toEqual([]); // …not announced
    expect(a.isAuthenticated).toBe(true); // this tab keeps working with the pair in memory
    expect(b.isAuthenticated).toBe(false);
  });
});
