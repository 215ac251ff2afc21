import { describe, expect, it } from '@jest/globals';
import { MAX_TOKEN_LENGTH, extractBearerToken } from './bearer-token.js';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl';

describe('extractBearerToken', () => {
  it('returns the token of a Bearer header', () => {
    expect(extractBearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
  });

  it('returns undefined when the header is missing', () => {
    expect(extractBearerToken(undefined)).toBeUndefined();
    expect(extractBearerToken('')).toBeUndefined();
  });

  it.each([[`Basic ${TOKEN}`], [`Token ${TOKEN}`], [`Bearer-${TOKEN}`], [`Bearer\t${TOKEN}`], [`Bearers ${TOKEN}`], [TOKEN]])(
    'returns undefined for another scheme or no scheme: %j',
    (header) => {
      expect(extractBearerToken(header)).toBeUndefined();
    },
  );

  it('returns undefined for "Bearer" without a token', () => {
    expect(extractBearerToken('Bearer')).toBeUndefined();
    expect(extractBearerToken('Bearer ')).toBeUndefined();
  });

  it('returns undefined for "Bearer " followed only by spaces', () => {
    expect(extractBearerToken('Bearer     ')).toBeUndefined();
  });

  it('reads the scheme case-insensitively', () => {
    expect(extractBearerToken(`bearer ${TOKEN}`)).toBe(TOKEN);
    expect(extractBearerToken(`BEARER ${TOKEN}`)).toBe(TOKEN);
    expect(extractBearerToken(`bEaReR ${TOKEN}`)).toBe(TOKEN);
  });

  it('ignores surrounding whitespace around the token', () => {
    expect(extractBearerToken(`Bearer   ${TOKEN}  `)).toBe(TOKEN);
  });

  it('returns undefined for an over-long header (10 KB) without looking at it', () => {
    expect(extractBearerToken(`Bearer ${'a'.repeat(10 * 1024)}`)).toBeUndefined();
  });

  it('accepts a token of exactly the maximum length and refuses one byte more', () => {
    expect(extractBearerToken(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH)}`)).toHaveLength(MAX_TOKEN_LENGTH);
    expect(extractBearerToken(`Bearer ${'a'.repeat(MAX_TOKEN_LENGTH + 1)}`)).toBeUndefined();
  });

  it('returns undefined for a repeated header (an array of values)', () => {
    expect(extractBearerToken([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`])).toBeUndefined();
  });
});
