import { describe, expect, it } from '@jest/globals';
import { usernameLimitKey } from './username-limit-key.js';

describe('usernameLimitKey', () => {
  it.each([
    ['GUANG', 'upper case'],
    ['  guang  ', 'surrounding spaces'],
    ['ｇｕａｎｇ', 'full-width letters (NFKC)'],
    ['gu\u200Bang', 'a zero-width space'],
    ['gu\u00ADang', 'a soft hyphen'],
    ['guang\uFE0F', 'a variation selector'],
    ['gu\u2060ang\u200D', 'word joiner and zero-width joiner'],
    ['guáng', 'an accent (precomposed)'],
    ['gua\u0301ng', 'an accent (combining)'],
  ])('%j (%s) shares the budget of "guang"', (spelling) => {
    expect(usernameLimitKey(spelling)).toBe('guang');
  });

  it('folds case fully, which toLowerCase alone does not: ß is ss, final sigma is sigma', () => {
    expect(usernameLimitKey('Straße')).toBe(usernameLimitKey('STRASSE'));
    expect(usernameLimitKey('ΟΔΥΣΣΕΥΣ')).toBe(usernameLimitKey('οδυσσευς'));
  });

  it('keeps different names apart', () => {
    expect(usernameLimitKey('guang')).not.toBe(usernameLimitKey('guan'));
    expect(usernameLimitKey('gu ang')).not.toBe(usernameLimitKey('guang'));
    expect(usernameLimitKey('光')).toBe('光');
  });
});
