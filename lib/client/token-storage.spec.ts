import { describe, expect, it, jest } from '@jest/globals';
import { LocalStorageTokenStorage, MemoryTokenStorage, parseTokenSet, type StorageLike } from './token-storage.js';

function area(): StorageLike & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

describe('MemoryTokenStorage', () => {
  it('stores a copy that callers cannot mutate from outside', () => {
    const storage = new MemoryTokenStorage();
    const tokens = { accessToken: 'a', refreshToken: 'r' };
    storage.set(tokens);
    tokens.accessToken = 'changed';
    expect(storage.get()).toEqual({ accessToken: 'a', refreshToken: 'r' });
    storage.clear();
    expect(storage.get()).toBeNull();
  });
});

describe('LocalStorageTokenStorage', () => {
  it('round-trips tokens as JSON under the configured key', () => {
    const backing = area();
    const storage = new LocalStorageTokenStorage({ key: 'my-app', storage: backing });
    storage.set({ accessToken: 'a', refreshToken: 'r', accessExpiresAt: 5 });
    expect(JSON.parse(backing.data.get('my-app')!)).toEqual({ accessToken: 'a', refreshToken: 'r', accessExpiresAt: 5 });
    expect(storage.get()).toEqual({ accessToken: 'a', refreshToken: 'r', accessExpiresAt: 5 });
    storage.clear();
    expect(backing.data.has('my-app')).toBe(false);
    expect(storage.key).toBe('my-app');
    expect(storage.shared).toBe(true);
  });

  it('treats corrupted or foreign values as empty', () => {
    const backing = area();
    const storage = new LocalStorageTokenStorage({ storage: backing });
    for (const raw of ['{not json', '"a string"', '{"accessToken":42}', '{"accessToken":""}', 'null']) {
      backing.data.set('dual-token-auth', raw);
      expect(storage.get()).toBeNull();
    }
  });

  it('behaves as empty when the storage throws on read (blocked storage)', () => {
    const storage = new LocalStorageTokenStorage({
      storage: { getItem: () => { throw new DOMException('denied', 'SecurityError'); }, setItem: () => {}, removeItem: () => {} },
    });
    expect(storage.get()).toBeNull();
  });

  it('requires a storage outside the browser', () => {
    expect(() => new LocalStorageTokenStorage()).toThrow(/no localStorage/);
  });

  it('notifies subscribers about storage events for its key only', () => {
    const target = new EventTarget();
    const storage = new LocalStorageTokenStorage({ key: 'k', storage: area(), eventTarget: target });
    const listener = jest.fn();
    const unsubscribe = storage.subscribe(listener);
    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'other' }));
    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'k' }));
    target.dispatchEvent(Object.assign(new Event('storage'), { key: null })); // localStorage.clear()
    unsubscribe();
    target.dispatchEvent(Object.assign(new Event('storage'), { key: 'k' }));
    expect(listener).toHaveBeenCalledTimes(2);
  });
});

describe('parseTokenSet', () => {
  it('accepts optional fields only with the right types', () => {
    expect(parseTokenSet('{"accessToken":"a","refreshExpiresAt":1}')).toEqual({ accessToken: 'a', refreshExpiresAt: 1 });
    expect(parseTokenSet('{"accessToken":"a","refreshToken":7}')).toBeNull();
  });
});
