/**
 * Reads timing claims from a JWT without verifying it.
 *
 * The client never trusts these claims for security (the server verifies every token); it only uses `exp`/`iat` to
 * decide *when* to refresh. Tokens are treated as possibly opaque: anything that is not a well-formed JWT with a
 * numeric claim simply yields `undefined` — these functions never throw.
 */

/** Timing claims of a JWT, converted to milliseconds since the epoch. */
export interface JwtTiming {
  /** `exp` claim in milliseconds since the epoch, if present and numeric. */
  expiresAt?: number;
  /** `iat` claim in milliseconds since the epoch, if present and numeric. */
  issuedAt?: number;
}

/** Decodes the payload of a compact JWS (`header.payload.signature`); `undefined` for anything else. */
export function decodeJwtPayload(token: string): Record<string, unknown> | undefined {
  const parts = typeof token === 'string' ? token.split('.') : [];
  // A JWE has 5 parts and an encrypted payload: nothing readable in it.
  const segment = parts.length === 3 ? parts[1] : '';
  if (!/^[\w-]+$/.test(segment)) return undefined;
  try {
    // atob exists in browsers, workers and Node >= 16; it yields one char per byte, so decode UTF-8 explicitly
    // (claims such as `username` may contain non-ASCII characters). atob accepts unpadded base64.
    const bytes = Uint8Array.from(atob(segment.replace(/-/g, '+').replace(/_/g, '/')), (char) => char.charCodeAt(0));
    const payload: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `exp` and `iat` from a JWT; fields are absent for opaque tokens or missing/non-numeric claims. */
export function readJwtTiming(token: string): JwtTiming {
  const payload = decodeJwtPayload(token) ?? {};
  const timing: JwtTiming = {};
  const expiresAt = toMillis(payload['exp']);
  const issuedAt = toMillis(payload['iat']);
  if (expiresAt) timing.expiresAt = expiresAt;
  if (issuedAt) timing.issuedAt = issuedAt;
  return timing;
}

function toMillis(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 && value < Infinity ? value * 1000 : undefined;
}
