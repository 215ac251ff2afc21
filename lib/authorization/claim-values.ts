/**
 * The strings of a roles or permissions claim: an array of strings, or one space-separated string (OAuth's `scope`
 * convention). Anything else holds no values, so a malformed claim grants nothing.
 */
export function claimValues(claim: unknown): ReadonlySet<string> {
  if (typeof claim === 'string') return new Set(claim.split(' ').filter((value) => value.length > 0));
  if (Array.isArray(claim)) return new Set(claim.filter((value): value is string => typeof value === 'string'));
  return new Set();
}
