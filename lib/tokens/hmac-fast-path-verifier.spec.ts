import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { createSigner, createVerifier } from 'fast-jwt';
import { HmacFastPathVerifier, type FastPathClaimRules } from './hmac-fast-path-verifier.js';

const SECRET = 'a-32-byte-or-longer-secret-for-tests-only!';
const OTHER_SECRET = 'another-32-byte-or-longer-secret-for-tests';
const NOW = 1_800_000_000_000;
const nowSeconds = NOW / 1000;
const RULES: FastPathClaimRules = {
  requiredClaims: ['exp', 'iat', 'sub', 'sid', 'token_type'],
  clockToleranceMs: 5_000,
  issuer: 'https://auth.example',
  audience: ['api', 'admin'],
};

const header = { alg: 'HS256', typ: 'at+jwt', kid: 'k1' };
/** Signs any header and payload, also ones fast-jwt's signer refuses to write (a string `exp`, an array payload). */
const sign = (payload: unknown, options: { key?: string; header?: Record<string, unknown>; algorithm?: 'HS256' | 'HS384' | 'HS512' } = {}): string => {
  const algorithm = options.algorithm ?? 'HS256';
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode(options.header ?? { ...header, alg: algorithm })}.${encode(payload)}`;
  return `${input}.${createHmac(`sha${algorithm.slice(2)}`, options.key ?? SECRET).update(input).digest('base64url')}`;
};
const validClaims = () => ({
  sub: '42',
  sid: 'session-1',
  token_type: 'access',
  iss: RULES.issuer,
  aud: 'api',
  iat: nowSeconds - 10,
  exp: nowSeconds + 600,
});
/** The header segment as the library's signer (fast-jwt) writes it. */
const ourHeaderSegment = (createSigner({ key: SECRET, algorithm: 'HS256', header }) as unknown as (p: object) => string)({}).split('.')[0]!;
const verifier = new HmacFastPathVerifier('HS256', SECRET, ourHeaderSegment, RULES);

/** The full verifier the library falls back to, configured with the same rules. */
const fullVerifier = createVerifier({
  key: SECRET,
  algorithms: ['HS256'],
  checkTyp: 'at+jwt',
  allowedIss: RULES.issuer,
  allowedAud: [...(RULES.audience as string[])],
  clockTolerance: RULES.clockToleranceMs,
  clockTimestamp: NOW,
  requiredClaims: [...RULES.requiredClaims, 'iss', 'aud'],
  cache: false,
}) as unknown as (token: string) => Record<string, unknown>;
const fullyAccepted = (token: string): boolean => {
  try {
    fullVerifier(token);
    return true;
  } catch {
    return false;
  }
};

describe('HmacFastPathVerifier', () => {
  it('accepts a token our signer made and returns the same payload as the full verifier', () => {
    const token = sign(validClaims());
    expect(verifier.tryVerify(token, NOW)).toEqual(fullVerifier(token));
  });

  it('gives up (undefined) on anything the full verifier must judge, and never accepts what it refuses', () => {
    const valid = sign(validClaims());
    const [head, body, signature] = valid.split('.') as [string, string, string];
    // The last base64url character of a 32-byte signature carries 2 unused bits: flipping them keeps the bytes.
    const lastChar = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    expect(body).toContain('A');
    const sameBytesOtherSpelling = `${signature.slice(0, -1)}${alphabet[alphabet.indexOf(lastChar) ^ 1]}`;
    const cases: Record<string, string> = {
      expired: sign({ ...validClaims(), exp: nowSeconds - 6 }),
      'not yet valid': sign({ ...validClaims(), nbf: nowSeconds + 6 }),
      'exp not a number': sign({ ...validClaims(), exp: String(nowSeconds + 600) }),
      'missing sid': sign({ ...validClaims(), sid: undefined }),
      'wrong issuer': sign({ ...validClaims(), iss: 'https://evil.example' }),
      'issuer as an array': sign({ ...validClaims(), iss: [RULES.issuer] }),
      'wrong audience': sign({ ...validClaims(), aud: ['other'] }),
      'audience of the wrong type': sign({ ...validClaims(), aud: [1] }),
      'another key': sign(validClaims(), { key: OTHER_SECRET }),
      'another kid': sign(validClaims(), { header: { ...header, kid: 'k2' } }),
      'refresh typ': sign(validClaims(), { header: { ...header, typ: 'rt+jwt' } }),
      'another algorithm': sign(validClaims(), { algorithm: 'HS384' }),
      'tampered payload': `${head}.${Buffer.from(JSON.stringify({ ...validClaims(), sub: '1' })).toString('base64url')}.${signature}`,
      'non-canonical signature spelling': `${head}.${body}.${sameBytesOtherSpelling}`,
      'padded signature': `${head}.${body}.${signature}=`,
      'four segments': `${head}.${body}.x.${signature}`,
      'no signature': `${head}.${body}.`,
      'payload that is an array': sign([1, 2]),
      // An 'A' of the payload respelled as 'Ł' (U+0141): a verifier that wrote characters as single bytes (latin1)
      // would hash it as 'A' (0x41) and find the signature valid.
      'a character outside base64url in the payload': `${head}.${body.replace('A', '\u0141')}.${signature}`,
    };
    for (const [name, token] of Object.entries(cases)) {
      expect({ name, fast: verifier.tryVerify(token, NOW) }).toEqual({ name, fast: undefined });
    }
    // fast-jwt alone refuses all the others; these two the key ring decides around it (it refuses non-canonical
    // signatures before calling fast-jwt and picks the verifier by kid), so the fast path must leave them to it too.
    const acceptedByFull = Object.entries(cases).filter(([, token]) => fullyAccepted(token)).map(([name]) => name);
    expect(acceptedByFull).toEqual(['another kid', 'non-canonical signature spelling']);
  });

  it('decodes each payload on its own (a shorter one after a longer one keeps none of its bytes)', () => {
    const long = sign({ ...validClaims(), username: 'a-rather-long-user-name-to-leave-bytes-behind' });
    const short = sign(validClaims());
    expect(verifier.tryVerify(long, NOW)).toEqual(fullVerifier(long));
    expect(verifier.tryVerify(short, NOW)).toEqual(fullVerifier(short));
  });

  it('leaves tokens longer than the library accepts to the full verifier', () => {
    const oversized = sign({ ...validClaims(), padding: 'x'.repeat(9000) });
    expect(fullyAccepted(oversized)).toBe(true);
    expect(verifier.tryVerify(oversized, NOW)).toBeUndefined();
  });

  it('applies the clock tolerance exactly like the full verifier at both edges', () => {
    for (const offsetSeconds of [-6, -5, -4, 4, 5, 6]) {
      const expiring = sign({ ...validClaims(), exp: nowSeconds + offsetSeconds });
      const activating = sign({ ...validClaims(), nbf: nowSeconds + offsetSeconds });
      expect({ offsetSeconds, exp: verifier.tryVerify(expiring, NOW) !== undefined }).toEqual({ offsetSeconds, exp: fullyAccepted(expiring) });
      expect({ offsetSeconds, nbf: verifier.tryVerify(activating, NOW) !== undefined }).toEqual({ offsetSeconds, nbf: fullyAccepted(activating) });
    }
  });

  it('accepts any configured audience, in a string or an array claim', () => {
    expect(verifier.tryVerify(sign({ ...validClaims(), aud: 'admin' }), NOW)).toBeDefined();
    expect(verifier.tryVerify(sign({ ...validClaims(), aud: ['other', 'admin'] }), NOW)).toBeDefined();
  });

  it('works for HS384 and HS512 signature lengths', () => {
    for (const algorithm of ['HS384', 'HS512'] as const) {
      const token = sign(validClaims(), { algorithm });
      const fast = new HmacFastPathVerifier(algorithm, SECRET, token.split('.')[0]!, RULES);
      expect(fast.tryVerify(token, NOW)).toMatchObject({ sub: '42' });
      expect(fast.tryVerify(`${token.slice(0, -2)}AA`, NOW)).toBeUndefined();
    }
  });
});
