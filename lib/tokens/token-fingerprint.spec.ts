import { describe, expect, it } from '@jest/globals';
import { tokenFingerprint } from './token-fingerprint.js';

describe('tokenFingerprint', () => {
  it('depends on the last 8 characters only, each of them', () => {
    const tail = 'AbCdEfGh';
    expect(tokenFingerprint(`one.header.${tail}`)).toBe(tokenFingerprint(`another.token.${tail}`));
    for (let i = 0; i < tail.length; i += 1) {
      const changed = `${tail.slice(0, i)}_${tail.slice(i + 1)}`;
      expect({ i, same: tokenFingerprint(`one.header.${changed}`) === tokenFingerprint(`one.header.${tail}`) }).toEqual({ i, same: false });
    }
  });

  it('is a 32-bit integer, also for tokens shorter than 8 characters', () => {
    for (const token of ['', 'a', 'abc.def', 'x'.repeat(500)]) {
      expect(Number.isInteger(tokenFingerprint(token)) && tokenFingerprint(token) === (tokenFingerprint(token) | 0)).toBe(true);
    }
  });
});
