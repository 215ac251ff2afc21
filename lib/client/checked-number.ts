/** `value`, or `fallback` when undefined; a RangeError names the option when it is not a finite positive number. */
export function checkedNumber(value: number | undefined, fallback: number, name: string, zeroAllowed: boolean): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !zeroAllowed)) {
    throw new RangeError(`AuthSession: ${name} must be ${zeroAllowed ? '>= 0' : 'a positive number'}`);
  }
  return value;
}
