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
  if (typeof token !== 'string') return undefined;
  const parts = token.split('.');
  // A JWE has 5 parts and an encrypted payload: nothing readable in it.
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const json = base64UrlDecodeToString(parts[1]);
    const payload: unknown = JSON.parse(json);
    return typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Reads `exp` and `iat` from a JWT; fields are absent for opaque tokens or missing/non-numeric claims. */
export function readJwtTiming(token: string): JwtTiming {
  const payload = decodeJwtPayload(token);
  if (!payload) return {};
  const timing: JwtTiming = {};
  const exp = toMillis(payload['exp']);
  const iat = toMillis(payload['iat']);
  if (exp !== undefined) timing.expiresAt = exp;
  if (iat !== undefined) timing.issuedAt = iat;
  return timing;
}

function toMillis(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value * 1000 : undefined;
}

function base64UrlDecodeToString(segment: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) throw new Error('not base64url');
  const base64 = segment.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(segment.length / 4) * 4, '=');
  // atob exists in browsers, workers and Node >= 16; it yields one char per byte, so decode UTF-8 explicitly
  // (claims such as `username` may contain non-ASCII characters).
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}
