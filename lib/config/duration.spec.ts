import { describe, expect, it } from '@jest/globals';
import { durationToMs } from './duration.js';

describe('durationToMs', () => {
  it.each([
    ['2s', 2_000],
    ['30m', 1_800_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['2 m', 120_000],
    [' 30m ', 1_800_000],
    ['7D', 604_800_000],
  ])('reads %j as %d ms', (value, expected) => {
    expect(durationToMs(value, 'accessToken.expiresIn')).toBe(expected);
  });

  it('reads numbers and bare numeric strings as seconds', () => {
    expect(durationToMs(60, 'x')).toBe(60_000);
    expect(durationToMs(0.5, 'x')).toBe(500);
    expect(durationToMs('15', 'x')).toBe(15_000);
  });

  it.each([
    ['7 days'],
    ['abc'],
    [''],
    ['-5s'],
    ['5y'],
    ['1e3s'],
    ['s'],
  ])('refuses the string %j with a message naming the option and the value', (value) => {
    expect(() => durationToMs(value, 'refreshToken.expiresIn')).toThrow(
      `refreshToken.expiresIn must be a duration such as '2s', '30m', '7d' or a number of seconds, got ${JSON.stringify(value)}`,
    );
  });

  it.each([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('refuses the number %p, naming the option', (value) => {
    expect(() => durationToMs(value, 'sessionMaxAge')).toThrow(/^sessionMaxAge must be a positive number of seconds/);
  });

  it.each([['0s'], ['0'], ['0ms'], ['0.0d']])('refuses the zero duration %j, naming the option', (value) => {
    expect(() => durationToMs(value, 'sessionMaxAge')).toThrow(`sessionMaxAge must be between 1 ms and 100 years, got ${JSON.stringify(value)}`);
  });

  it('refuses values that are neither numbers nor strings, naming the option', () => {
    expect(() => durationToMs(null as unknown as string, 'accessToken.expiresIn')).toThrow(/^accessToken\.expiresIn must be a duration/);
    expect(() => durationToMs({} as unknown as string, 'accessToken.expiresIn')).toThrow(/^accessToken\.expiresIn must be a duration/);
  });

  it.each([1e306, '9'.repeat(400) + 'd', '101w'.replace('101', '6000'), '0.0000001ms'])(
    'refuses %p, which would overflow or round to nothing, naming the option',
    (value) => {
      expect(() => durationToMs(value, 'accessToken.expiresIn')).toThrow(/accessToken\.expiresIn must be between 1 ms and 100 years/);
    },
  );
});
