import { MAX_TOKEN_LENGTH } from './bearer-token.js';
import { PreparedHmac } from './prepared-hmac.js';

/** What a token must satisfy besides its signature; the same rules the full (fast-jwt) verifier applies. */
export interface FastPathClaimRules {
  /** Claims that must be present (`name in payload`). */
  requiredClaims: readonly string[];
  /** Allowance for clock skew on `exp` and `nbf`, in milliseconds. */
  clockToleranceMs: number;
  /** The only accepted `iss`, when configured. */
  issuer?: string;
  /** Accepted `aud` values, when configured: the token's `aud` (a string or an array of strings) must contain one. */
  audience?: string | readonly string[];
}

/**
 * Verifies HMAC-signed tokens that carry exactly the header this service signs with, at close to the cost of the
 * HMAC itself: one comparison of the header text, one HMAC over the signing input, one comparison of the signature
 * text, one JSON parse of the payload and the claim checks. This is the uncached verification of every request on a
 * server with many active users.
 *
 * It only ever accepts: the header is compared as text against the one our signer writes (so `alg`, `typ` and `kid`
 * are exactly ours, and no `crit` or other header can be present); the signature must equal, character for
 * character and in constant time, the canonical base64url of the expected HMAC (so a non-canonical spelling of a
 * valid signature never passes); the payload must be a JSON object holding the required claims, unexpired, active,
 * and with the configured issuer and audience — the same rules, with the same clock tolerance, as fast-jwt applies.
 * Anything else (an expired token, a bad signature, another header, a malformed token) returns `undefined`, and the
 * caller runs the full verifier, which gives the precise error; so failures cost one extra HMAC, successes none.
 *
 * Why not fast-jwt alone: it decodes and parses the header, checks the signing input and signature segments with
 * regular expressions, decodes the signature to bytes and walks a generic validator list, which together cost about
 * as much again as the HMAC (measured in `bench/`, micro section).
 */
export class HmacFastPathVerifier {
  private readonly hmac: PreparedHmac;
  /** The header segment our signer writes, with the dot that ends it. */
  private readonly headerPrefix: string;
  /** Length of the base64url signature of this hash: 43 (SHA-256), 64 (SHA-384) or 86 (SHA-512) characters. */
  private readonly signatureLength: number;
  private readonly audience?: readonly string[];
  /**
   * Where payloads are decoded, reused by every call (each runs to completion synchronously): decoding into a new
   * Buffer per token cost ~0.14 µs more. base64url gives at most 3 bytes per 4 characters of a token that fits.
   */
  private readonly payloadBytes = Buffer.alloc(Math.ceil((MAX_TOKEN_LENGTH * 3) / 4));

  /**
   * @param algorithm `HS256`, `HS384` or `HS512`.
   * @param secret The HMAC secret (bytes or UTF-8 text).
   * @param signedHeaderSegment The base64url header segment of a token our signer produced with this key.
   */
  constructor(
    algorithm: string,
    secret: string | Buffer,
    signedHeaderSegment: string,
    private readonly rules: FastPathClaimRules,
  ) {
    const bits = Number(algorithm.slice(2));
    this.hmac = new PreparedHmac(`sha${bits}`, secret, MAX_TOKEN_LENGTH);
    this.headerPrefix = `${signedHeaderSegment}.`;
    this.signatureLength = Math.ceil((bits / 8) * (4 / 3));
    if (rules.audience !== undefined) this.audience = typeof rules.audience === 'string' ? [rules.audience] : rules.audience;
  }

  /** The verified payload, or `undefined` when the token is not one this fast path can accept (verify it in full). */
  tryVerify(token: string, now: number): Record<string, unknown> | undefined {
    if (token.length > MAX_TOKEN_LENGTH || !token.startsWith(this.headerPrefix)) return undefined;
    const signatureStart = token.lastIndexOf('.') + 1;
    if (signatureStart <= this.headerPrefix.length || token.length - signatureStart !== this.signatureLength) return undefined;
    // Exactly three segments: the payload segment holds no dot.
    if (token.indexOf('.', this.headerPrefix.length) !== signatureStart - 1) return undefined;

    const signingInput = token.slice(0, signatureStart - 1);
    const expected = this.hmac.digestBase64url(signingInput);
    if (!equalInConstantTime(expected, token, signatureStart)) return undefined;

    let payload: unknown;
    try {
      const length = this.payloadBytes.write(token.slice(this.headerPrefix.length, signatureStart - 1), 'base64url');
      payload = JSON.parse(this.payloadBytes.toString('utf8', 0, length));
    } catch {
      return undefined;
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    return this.claimsAccepted(payload as Record<string, unknown>, now) ? (payload as Record<string, unknown>) : undefined;
  }

  private claimsAccepted(payload: Record<string, unknown>, now: number): boolean {
    const { requiredClaims, clockToleranceMs, issuer } = this.rules;
    for (const claim of requiredClaims) if (!(claim in payload)) return false;
    // fast-jwt's rules: exp valid while now <= exp + tolerance; nbf valid once now >= nbf - tolerance.
    if ('exp' in payload && !(typeof payload.exp === 'number' && now <= payload.exp * 1000 + clockToleranceMs)) return false;
    if ('nbf' in payload && !(typeof payload.nbf === 'number' && now >= payload.nbf * 1000 - clockToleranceMs)) return false;
    if (issuer !== undefined && 'iss' in payload && payload.iss !== issuer) return false;
    if (this.audience !== undefined && 'aud' in payload && !audienceAccepted(payload.aud, this.audience)) return false;
    return true;
  }
}

/** Whether `expected` equals `token.slice(offset)` (same length), with no early exit that would time how much of it matched. */
function equalInConstantTime(expected: string, token: string, offset: number): boolean {
  let difference = 0;
  for (let i = 0; i < expected.length; i += 1) difference |= expected.charCodeAt(i) ^ token.charCodeAt(offset + i);
  return difference === 0;
}

function audienceAccepted(aud: unknown, accepted: readonly string[]): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  if (values.some((value) => typeof value !== 'string')) return false;
  return values.some((value) => accepted.includes(value as string));
}
