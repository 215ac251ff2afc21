import { describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { SecondSightingFilter } from './second-sighting-filter.js';
import { tokenFingerprint } from './token-fingerprint.js';

const token = () => `header.payload.${randomBytes(32).toString('base64url')}`;

describe('SecondSightingFilter', () => {
  it('admits a token on its second sighting, not its first', () => {
    const filter = new SecondSightingFilter(1024);
    const repeated = token();
    expect(filter.seenBefore(tokenFingerprint(repeated))).toBe(false);
    expect(filter.seenBefore(tokenFingerprint(repeated))).toBe(true);
    expect(filter.seenBefore(tokenFingerprint(repeated))).toBe(true);
  });

  it('admits almost none of a stream of distinct tokens (what a server with many users sees)', () => {
    const filter = new SecondSightingFilter(1024);
    let admitted = 0;
    for (let i = 0; i < 20_000; i += 1) if (filter.seenBefore(tokenFingerprint(token()))) admitted += 1;
    expect(admitted).toBeLessThan(5);
  });

  it('keeps admitting a busy token among many one-off ones', () => {
    const filter = new SecondSightingFilter(8192);
    const busy = token();
    filter.seenBefore(tokenFingerprint(busy));
    let admittedBusy = 0;
    for (let i = 0; i < 1000; i += 1) {
      for (let j = 0; j < 20; j += 1) filter.seenBefore(tokenFingerprint(token()));
      if (filter.seenBefore(tokenFingerprint(busy))) admittedBusy += 1;
    }
    expect(admittedBusy).toBeGreaterThan(990);
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => new SecondSightingFilter(1000)).toThrow(/power of two/);
  });
});
