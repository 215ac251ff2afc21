import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { SessionActivityCache } from './session-activity-cache.js';

const TTL_MS = 5_000;
const RETENTION_MS = 60_000;
const START = 1_800_000_000_000;

/** A store stand-in whose answers the test sets; counts lookups. */
class ScriptedStore {
  readonly lookups: string[] = [];
  answer: (sessionId: string) => Promise<string | null> = async () => 'user-1';

  readonly lookup = (sessionId: string): Promise<string | null> => {
    this.lookups.push(sessionId);
    return this.answer(sessionId);
  };
}

const trustLastKnown = (_error: unknown, lastKnown: boolean | undefined): boolean => lastKnown ?? true;

/** Lets the background lookup's promise chain settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

describe('SessionActivityCache', () => {
  let store: ScriptedStore;

  beforeEach(() => {
    jest.useFakeTimers({ now: START });
    store = new ScriptedStore();
  });

  afterEach(() => {
    jest.useRealTimers();
  });

  it('answers from the cache for the ttl after one lookup, then asks the store again', async () => {
    const cache = new SessionActivityCache(TTL_MS, RETENTION_MS, store.lookup);
    expect(cache.peek('s1', 'user-1', START)).toBeUndefined();
    expect(await cache.resolve('s1', 'user-1', trustLastKnown)).toBe(true);

    expect(cache.peek('s1', 'user-1', START + TTL_MS / 2)).toBe(true);
    expect(cache.peek('s1', 'user-2', START + TTL_MS / 2)).toBe(false);
    expect(cache.peek('s1', 'user-1', START + TTL_MS)).toBeUndefined();
    expect(store.lookups).toEqual(['s1']);
  });

  it('in the last fifth of the ttl, answers at once and renews the answer in the background, once', async () => {
    const cache = new SessionActivityCache(TTL_MS, RETENTION_MS, store.lookup);
    await cache.resolve('s1', 'user-1', trustLastKnown);

    jest.setSystemTime(START + TTL_MS * 0.85);
    expect(cache.peek('s1', 'user-1', Date.now())).toBe(true);
    expect(cache.peek('s1', 'user-1', Date.now())).toBe(true);
    await settle();
    expect(store.lookups).toEqual(['s1', 's1']);

    // The renewed answer counts from its own lookup: still answered after the first answer would have expired.
    expect(cache.peek('s1', 'user-1', START + TTL_MS + 1_000)).toBe(true);
    expect(store.lookups).toHaveLength(2);
  });

  it('answers "revoked" as soon as a background renewal finds the session gone', async () => {
    const cache = new SessionActivityCache(TTL_MS, RETENTION_MS, store.lookup);
    await cache.resolve('s1', 'user-1', trustLastKnown);
    store.answer = async () => null;

    jest.setSystemTime(START + TTL_MS * 0.9);
    expect(cache.peek('s1', 'user-1', Date.now())).toBe(true);
    await settle();
    expect(cache.peek('s1', 'user-1', Date.now())).toBe(false);
  });

  it('keeps the answer after a failed renewal until it expires, never longer', async () => {
    const cache = new SessionActivityCache(TTL_MS, RETENTION_MS, store.lookup);
    await cache.resolve('s1', 'user-1', trustLastKnown);
    store.answer = async () => {
      throw new Error('store unreachable');
    };

    jest.setSystemTime(START + TTL_MS * 0.9);
    expect(cache.peek('s1', 'user-1', Date.now())).toBe(true);
    await settle();
    expect(cache.peek('s1', 'user-1', Date.now())).toBe(true);
    expect(cache.peek('s1', 'user-1', START + TTL_MS)).toBeUndefined();
  });

  it('keeps at most maxLiveEntries answers, the oldest out first', async () => {
    const cache = new SessionActivityCache(TTL_MS, RETENTION_MS, store.lookup, 2);
    for (const sessionId of ['s1', 's2', 's3']) await cache.resolve(sessionId, 'user-1', trustLastKnown);

    expect(cache.peek('s1', 'user-1', START)).toBeUndefined();
    expect(cache.peek('s2', 'user-1', START)).toBe(true);
    expect(cache.peek('s3', 'user-1', START)).toBe(true);
  });
});
