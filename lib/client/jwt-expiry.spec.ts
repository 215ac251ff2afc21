import { describe, expect, it } from '@jest/globals';
import { decodeJwtPayload, readJwtTiming } from './jwt-expiry.js';
import { makeJwt } from './testing/index.js';

describe('readJwtTiming', () => {
  it('reads exp and iat as milliseconds', () => {
    expect(readJwtTiming(makeJwt({ exp: 1_900_000_000, iat: 1_899_999_100 }))).toEqual({
      expiresAt: 1_900_000_000_000,
      issuedAt: 1_899_999_100_000,
    });
  });

  it('decodes non-ASCII claims (UTF-8 payloads)', () => {
    expect(decodeJwtPayload(makeJwt({ username: 'Zoë 日本', exp: 1 }))).toEqual({ username: 'Zoë 日本', exp: 1 });
  });

  it.each([
    ['an opaque token', 'f3a9c2d1e0b7'],
    ['an empty string', ''],
    ['a JWE (5 parts)', 'a.b.c.d.e'],
    ['invalid base64url', 'eyJh.@@@.sig'],
    ['a payload that is not JSON', `x.${Buffer.from('not json').toString('base64url')}.y`],
    ['a JSON array payload', `x.${Buffer.from('[1,2]').toString('base64url')}.y`],
    ['a non-numeric exp', makeJwt({ exp: 'tomorrow' })],
    ['a negative exp', makeJwt({ exp: -5 })],
  ])('yields no timing (and does not throw) for %s', (_label, token) => {
    expect(readJwtTiming(token)).toEqual({});
  });

  it('never throws on non-string input', () => {
    expect(decodeJwtPayload(undefined as unknown as string)).toBeUndefined();
  });
});
