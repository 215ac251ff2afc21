import { describe, expect, it } from '@jest/globals';
import { CrossTabCoordinator } from './cross-tab-coordinator.js';
import {
  createAuthSession,
  LocalStorageTokenStorage,
  MemoryTokenStorage,
  type AuthSessionOptions,
  type StorageLike,
  type TokenSet,
  type TokenStorage,
} from './index.js';
import { deferred, FakeAuthServer, FakeChannelHub, FakeLockManager, flush, ManualClock } from './testing/index.js';

const START = Date.UTC(2030, 0, 1);
const API = 'https://api.test/api';
const LOCK = 'test-lock';

/** Two "tabs": sessions that share the server, a storage and the cross-tab primitives. */
async function twoTabs(options: {
  storageFor: () => TokenStorage;
  locks?: FakeLockManager | null;
  hub?: FakeChannelHub | null;
  extra?: Partial<AuthSessionOptions>;
}) {
  const clock = new ManualClock(START);
  const server = new FakeAuthServer({ clock });
  const make = () =>
    createAuthSession({
      baseUrl: server.origin,
      fetch: server.fetch,
      clock,
      storage: options.storageFor(),
      crossTab: {
        lockName: LOCK,
        channelName: 'test-channel',
        locks: options.locks ?? null,
        createChannel: options.hub?.createChannel ?? null,
      },
      ...options.extra,
    });
  const a = make();
  await a.login('alice', 'secret');
  await flush();
  const b = make();
  await b.ready;
  return { clock, server, a, b };
}

function fakeStorageArea(): StorageLike {
  const data = new Map<string, string>();
  return {
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

/**
 * Two tabs on one shared storage where b's view lags: it shows a's writes only after `catchUp()`, like another
 * renderer's copy of localStorage in Chromium.
 */
async function laggingTabs() {
  const hub = new FakeChannelHub();
  const truth = fakeStorageArea();
  const view = new Map<string, string>();
  const laggingView: StorageLike = {
    getItem: (k) => view.get(k) ?? null,
    setItem: (k, v) => {
      view.set(k, v);
      truth.setItem(k, v);
    },
    removeItem: (k) => {
      view.delete(k);
      truth.removeItem(k);
    },
  };
  const catchUp = (): void => {
    const value = truth.getItem('k');
    if (value === null) view.delete('k');
    else view.set('k', value);
  };
  const areas = [truth, laggingView];
  const tabs = await twoTabs({
    storageFor: () => {
      const area = areas.shift()!;
      if (area === laggingView) catchUp();
      return new LocalStorageTokenStorage({ key: 'k', storage: area });
    },
    hub,
  });
  return { ...tabs, hub, view, catchUp };
}

describe('cross-tab refresh', () => {
  it('refreshes once for two sessions sharing a storage: the second adopts the tokens after taking the lock', async () => {
    const shared = new MemoryTokenStorage();
    const locks = new FakeLockManager();
    const { server, a, b } = await twoTabs({ storageFor: () => shared, locks });
    expect(await b.getAccessToken()).toBe(await a.getAccessToken());
    const bSources: string[] = [];
    b.on('tokensChanged', (e) => bSources.push(e.source));

    server.expireAllAccess();
    const gate = deferred();
    server.refreshGate = gate.promise;
    const both = Promise.all([a.fetch(`${API}/a`), b.fetch(`${API}/b`)]);
    await flush();
    expect(locks.requests).toBe(2);
    expect(server.refreshCalls).toBe(1);
    gate.resolve();
    const [ra, rb] = await both;

    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(server.refreshCalls).toBe(1);
    expect(await b.getAccessToken()).toBe(await a.getAccessToken());
    expect(a.refreshCount + b.refreshCount).toBe(1);
    expect(bSources).toEqual(['other-tab']);
  });

  it('falls through when the lock cannot be obtained within lockTimeoutMs (a stuck tab cannot freeze auth)', async () => {
    const locks = new FakeLockManager();
    locks.holdForever(LOCK);
    const { clock, server, a } = await twoTabs({
      storageFor: () => new MemoryTokenStorage(),
      locks,
      extra: {},
    });
    server.expireAllAccess();
    let done = false;
    const pending = a.fetch(`${API}/a`).finally(() => (done = true));
    await flush();
    expect(server.refreshCalls).toBe(0);
    expect(done).toBe(false);

    clock.advance(10_000); // default lockTimeoutMs = refreshTimeoutMs
    await flush();
    expect(server.refreshCalls).toBe(1);
    expect((await pending).status).toBe(200);
  });

  it('ends the session when the shared storage was emptied by another tab before our refresh', async () => {
    const shared = new MemoryTokenStorage();
    const { server, a } = await twoTabs({ storageFor: () => shared, locks: new FakeLockManager() });
    const ended: string[] = [];
    a.on('sessionEnded', (e) => ended.push(e.reason));
    shared.clear();
    server.expireAllAccess();
    await expect(a.fetch(`${API}/a`)).rejects.toMatchObject({ name: 'SessionEndedError', reason: 'cleared-elsewhere' });
    expect(server.refreshCalls).toBe(0);
    expect(ended).toEqual(['cleared-elsewhere']);
  });

  it('runs the refresh without a lock when the lock manager fails', async () => {
    const broken = { request: () => Promise.reject(new DOMException('no locks here', 'SecurityError')) };
    const clock = new ManualClock(START);
    const coordinator = new CrossTabCoordinator({
      lockName: LOCK,
      channelName: 'c',
      lockTimeoutMs: 1000,
      locks: broken,
      createChannel: null,
      clock,
      onMessage: () => {},
    });
    await expect(coordinator.withRefreshLock(async () => 'ran')).resolves.toBe('ran');
    expect(clock.pendingTimers).toBe(0);
  });

  it('propagates errors of the locked work instead of running it twice', async () => {
    const coordinator = new CrossTabCoordinator({
      lockName: LOCK,
      channelName: 'c',
      lockTimeoutMs: 1000,
      locks: new FakeLockManager(),
      createChannel: null,
      clock: new ManualClock(),
      onMessage: () => {},
    });
    let runs = 0;
    const failing = coordinator.withRefreshLock(async () => {
      runs++;
      throw new DOMException('inner abort', 'AbortError');
    });
    await expect(failing).rejects.toMatchObject({ message: 'inner abort' });
    expect(runs).toBe(1);
  });
});

describe('cross-tab broadcast', () => {
  it('tells other tabs about new tokens (per-tab storage gets a copy)', async () => {
    const hub = new FakeChannelHub();
    const bStorage: MemoryTokenStorage[] = [];
    const { a, b } = await twoTabs({
      storageFor: () => {
        const s = new MemoryTokenStorage();
        bStorage.push(s);
        return s;
      },
      hub,
    });
    await flush();
    // b was created after a's login; it learns the pair from a's next change.
    const changes: string[] = [];
    b.on('tokensChanged', (e) => changes.push(e.source));
    const refreshed = await a.refresh();
    await flush();
    expect(await b.getAccessToken()).toBe(refreshed.accessToken);
    expect(bStorage[1]!.get()?.refreshToken).toBe(refreshed.refreshToken);
    expect(changes).toEqual(['other-tab']);
  });

  it('re-reads a shared storage instead of trusting the message payload', async () => {
    const hub = new FakeChannelHub();
    const area = fakeStorageArea();
    const { a, b, clock } = await twoTabs({ storageFor: () => new LocalStorageTokenStorage({ key: 'k', storage: area }), hub });
    const refreshed = await a.refresh();
    await flush();
    expect(await b.getAccessToken()).toBe(refreshed.accessToken);
    // A forged message whose tokens are not in the shared storage changes nothing, even after waiting for the
    // storage to catch up.
    hub.createChannel('test-channel').postMessage({ type: 'tokens', sender: 'x', tokens: { accessToken: 'forged' } });
    await flush();
    expect(await b.getAccessToken()).toBe(refreshed.accessToken);
    clock.advance(1_500);
    await flush();
    expect(await b.getAccessToken()).toBe(refreshed.accessToken);
  });

  it('waits for a lagging view of the shared storage to show announced tokens (Chromium may deliver the message first)', async () => {
    const { a, b, clock, catchUp } = await laggingTabs();
    const before = await b.getAccessToken();
    const changes: string[] = [];
    b.on('tokensChanged', (e) => changes.push(e.source));

    const refreshed = await a.refresh();
    await flush();
    expect(await b.getAccessToken()).toBe(before); // message delivered, b's view still shows the old pair
    clock.advance(20);
    await flush();
    expect(await b.getAccessToken()).toBe(before);
    catchUp();
    clock.advance(20);
    await flush();
    expect(await b.getAccessToken()).toBe(refreshed.accessToken);
    expect(changes).toEqual(['other-tab']);
  });

  it('a later message wins over tokens still waiting for the storage (logout right after a refresh)', async () => {
    const { a, b, clock, view } = await laggingTabs();
    const refreshed = await a.refresh();
    await flush(); // b waits for its view to show the new pair
    await a.logout();
    await flush();
    expect(b.isAuthenticated).toBe(false);
    // b's view now shows the refreshed pair, but not yet the logout's clear: the waiting handler must not revive it.
    view.set('k', JSON.stringify({ accessToken: refreshed.accessToken, refreshToken: refreshed.refreshToken }));
    clock.advance(20);
    await flush();
    expect(b.isAuthenticated).toBe(false);
  });

  it('announces new tokens only once they are stored', async () => {
    const hub = new FakeChannelHub();
    const gate = deferred();
    let slow = false;
    class SlowStorage extends MemoryTokenStorage {
      readonly key = 'k';
      override async set(tokens: TokenSet): Promise<void> {
        if (slow) await gate.promise;
        super.set(tokens);
      }
    }
    const { a } = await twoTabs({ storageFor: () => new SlowStorage(), hub });
    slow = true;
    const sentBefore = hub.sent.length;

    const refreshing = a.refresh();
    await flush();
    expect(hub.sent.length).toBe(sentBefore); // the new pair arrived but is not stored yet: nothing announced
    gate.resolve();
    await refreshing;
    await flush();
    expect(hub.sent.slice(sentBefore).map((m) => (m.data as { type: string }).type)).toEqual(['tokens']);
  });

  it('propagates logout as loggedOut(other-tab), not as sessionEnded', async () => {
    const hub = new FakeChannelHub();
    const shared = new MemoryTokenStorage();
    const { a, b } = await twoTabs({ storageFor: () => shared, hub });
    const loggedOut: unknown[] = [];
    const ended: unknown[] = [];
    b.on('loggedOut', (e) => loggedOut.push(e));
    b.on('sessionEnded', (e) => ended.push(e));
    await a.logout();
    await flush();
    expect(b.isAuthenticated).toBe(false);
    expect(loggedOut).toEqual([{ origin: 'other-tab' }]);
    expect(ended).toEqual([]);
  });

  it('propagates an ended session as sessionEnded(other-tab)', async () => {
    const hub = new FakeChannelHub();
    const { server, a, b } = await twoTabs({ storageFor: () => new MemoryTokenStorage(), hub });
    await a.refresh(); // b adopts a's pair
    await flush();
    expect(b.isAuthenticated).toBe(true);
    const reasons: string[] = [];
    b.on('ended', (e) => reasons.push(e.reason));
    server.refreshBehavior = 'reject';
    await expect(a.refresh()).rejects.toMatchObject({ name: 'SessionEndedError' });
    await flush();
    expect(b.isAuthenticated).toBe(false);
    expect(reasons).toEqual(['other-tab']);
  });

  it('falls back to storage events when BroadcastChannel is unavailable', async () => {
    const area = fakeStorageArea();
    const events = new EventTarget();
    const storage = () => new LocalStorageTokenStorage({ key: 'k', storage: area, eventTarget: events });
    const { a, b } = await twoTabs({ storageFor: storage });
    const changes: string[] = [];
    b.on('tokensChanged', (e) => changes.push(e.source));
    b.on('sessionEnded', (e) => changes.push(`ended:${e.reason}`));

    const refreshed = await a.refresh();
    await flush();
    events.dispatchEvent(Object.assign(new Event('storage'), { key: 'k' }));
    await flush();
    expect(await b.getAccessToken()).toBe(refreshed.accessToken);

    await a.setTokens(null);
    await flush();
    events.dispatchEvent(Object.assign(new Event('storage'), { key: 'k' }));
    await flush();
    expect(b.isAuthenticated).toBe(false);
    expect(changes).toEqual(['other-tab', 'ended', 'ended:cleared-elsewhere']);
  });

  it('is off by default for storages without a key, and dispose() closes the channel', async () => {
    const hub = new FakeChannelHub();
    const clock = new ManualClock(START);
    const keyless = createAuthSession({ baseUrl: 'https://api.test', clock, storage: new MemoryTokenStorage(), crossTab: false });
    const keyed = createAuthSession({
      baseUrl: 'https://api.test',
      clock,
      storage: new LocalStorageTokenStorage({ key: 'k', storage: fakeStorageArea() }),
      crossTab: { createChannel: hub.createChannel, locks: null },
    });
    expect(hub.openChannels).toBe(1);
    expect(hub.sent).toHaveLength(0);
    keyed.dispose();
    keyless.dispose();
    expect(hub.openChannels).toBe(0);
  });
});
