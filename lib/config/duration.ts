import type { Duration } from '../interfaces/dual-token-auth-options.interface.js';

const UNIT_TO_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION_PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i;

/**
 * Converts a {@link Duration} to milliseconds. Throws a descriptive error for anything that is not a positive duration,
 * because a typo in a lifetime (e.g. `'7 days'`) must stop startup rather than silently produce non-expiring tokens.
 */
export function durationToMs(value: Duration, optionName: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`${optionName} must be a positive number of seconds, got ${value}`);
    }
    return assertSensibleMs(value * 1000, optionName, value);
  }
  const match = typeof value === 'string' ? DURATION_PATTERN.exec(value.trim()) : null;
  if (!match) {
    throw new Error(
      `${optionName} must be a duration such as '2s', '30m', '7d' or a number of seconds, got ${JSON.stringify(value)}`,
    );
  }
  return assertSensibleMs(Number(match[1]) * UNIT_TO_MS[(match[2] ?? 's').toLowerCase()], optionName, value);
}

/** Longest accepted duration: 100 years. Anything longer is a typo, and overflowing values would yield `exp: null`. */
const MAX_DURATION_MS = 100 * 365 * 86_400_000;

function assertSensibleMs(ms: number, optionName: string, original: Duration): number {
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_DURATION_MS) {
    throw new Error(`${optionName} must be between 1 ms and 100 years, got ${JSON.stringify(original)}`);
  }
  return ms;
}
