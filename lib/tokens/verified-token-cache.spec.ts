import { describe, expect, it } from '@jest/globals';
import { tokenFingerprint } from './token-fingerprint.js';
import { TokenFrequencySketch } from './token-frequency-sketch.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

describe('VerifiedTokenCache', () => {
  const now = 1_800_000_000_000;
  const payload = (exp: number, nbf?: number) => ({ sub: '1', exp, ...(nbf === undefined ? {} : { nbf }) });

  it('answers a verified token until its exp (plus tolerance) and forgets it afterwards', () => {
    const cache = new VerifiedTokenCache(10, 2000);
    const verified = payload(now / 1000 + 60);
    cache.set('token-a', verified);
    expect(cache.get('token-a', now)).toEqual(verified);
    expect(cache.get('token-a', now + 61_000)).toEqual(verified); // within the 2 s tolerance
    expect(cache.get('token-a', now + 62_000)).toBeUndefined();
    expect(cache.get('token-a', now)).toBeUndefined(); // dropped on the expired hit
  });

  it('does not answer before nbf (minus tolerance)', () => {
    const cache = new VerifiedTokenCache(10, 0);
    cache.set('future', payload(now / 1000 + 120, now / 1000 + 60));
    expect(cache.get('future', now)).toBeUndefined();
  });

  it('only matches the exact token text and never grows past its bound', () => {
    const cache = new VerifiedTokenCache(3, 0);
    for (const token of ['t1', 't2', 't3', 't4']) cache.set(token, payload(now / 1000 + 60));
    expect(cache.get('t1', now)).toBeUndefined(); // oldest evicted
    expect(cache.get('t4', now)).toBeDefined();
    expect(cache.get('t4 ', now)).toBeUndefined();
  });

  it('answers only the exact token when another one ends in the same characters, and keeps the verified entry', () => {
    const cache = new VerifiedTokenCache(10, 0);
    const signature = 'S'.repeat(43);
    const verified = payload(now / 1000 + 60);
    cache.set(`header.claims-of-alice.${signature}`, verified);

    expect(cache.get(`header.claims-of-admin.${signature}`, now)).toBeUndefined();
    expect(cache.get(`header.claims-of-alice.${signature}`, now)).toEqual(verified);
  });

  it('keeps its own copy and hands out a new one per hit: changes by the caller that stored it or got it stay with that caller', () => {
    const cache = new VerifiedTokenCache(10, 0);
    for (const extra of [{}, { roles: ['reader'], org: { id: 7 } }]) {
      const stored: Record<string, unknown> = { ...payload(now / 1000 + 60), ...extra };
      const original = structuredClone(stored);
      cache.set('token', stored);
      stored.sub = 'changed by the verifying caller';
      (stored.roles as string[] | undefined)?.push('admin');

      const first = cache.get('token', now)!;
      expect(first).toEqual(original);
      first.sub = 'changed by a request';
      (first.roles as string[] | undefined)?.push('admin');
      if (first.org) (first.org as { id: number }).id = 8;

      const second = cache.get('token', now);
      expect(second).toEqual(original);
      expect(second).not.toBe(first);
    }
  });

  it('ignores payloads without exp', () => {
    const cache = new VerifiedTokenCache(3, 0);
    cache.set('no-exp', { sub: '1' });
    expect(cache.get('no-exp', now)).toBeUndefined();
  });

  describe('offer (admission when full)', () => {
    const counted = (sketch: TokenFrequencySketch, token: string, times: number) => {
      for (let i = 0; i < times; i += 1) sketch.record(tokenFingerprint(token));
    };
    /** A full cache of two entries, each token verified `times` times, and its sketch. */
    const fullOf = (tokens: [string, string], times: number) => {
      const cache = new VerifiedTokenCache(2, 0);
      const sketch = new TokenFrequencySketch(1024);
      for (const token of tokens) {
        counted(sketch, token, times);
        cache.offer(token, payload(now / 1000 + 60), now, sketch);
      }
      return { cache, sketch };
    };

    it('admits while there is room', () => {
      const cache = new VerifiedTokenCache(2, 0);
      const sketch = new TokenFrequencySketch(1024);
      cache.offer('a', payload(now / 1000 + 60), now, sketch);
      expect(cache.get('a', now)).toBeDefined();
    });

    it('keeps a full cache as it is for a token verified no more often than the entry it would evict', () => {
      const { cache, sketch } = fullOf(['busy-1', 'busy-2'], 3);
      counted(sketch, 'newcomer', 3);
      cache.offer('newcomer', payload(now / 1000 + 60), now, sketch);
      expect([cache.get('busy-1', now), cache.get('busy-2', now), cache.get('newcomer', now)].map(Boolean)).toEqual([true, true, false]);
    });

    it('trades the oldest entry for a token verified more often lately', () => {
      const { cache, sketch } = fullOf(['quiet-1', 'quiet-2'], 2);
      counted(sketch, 'busy', 6);
      expect(sketch.estimate(tokenFingerprint('busy'))).toBeGreaterThan(sketch.estimate(tokenFingerprint('quiet-1')));
      cache.offer('busy', payload(now / 1000 + 60), now, sketch);
      expect([cache.get('quiet-1', now), cache.get('quiet-2', now), cache.get('busy', now)].map(Boolean)).toEqual([false, true, true]);
    });

    it('evicts an expired oldest entry whatever its count', () => {
      const cache = new VerifiedTokenCache(1, 0);
      const sketch = new TokenFrequencySketch(1024);
      counted(sketch, 'expired', 10);
      cache.offer('expired', payload(now / 1000 - 1), now - 10_000, sketch);
      counted(sketch, 'fresh', 2);
      cache.offer('fresh', payload(now / 1000 + 60), now, sketch);
      expect(cache.get('fresh', now)).toBeDefined();
    });
  });
});
