import { sign, verify, type KeyLike } from 'node:crypto';

/** The asymmetric JWS algorithms the key tests use, with their node:crypto digest and signature encoding. */
const SIGNATURE_SETTINGS: Record<string, { digest: string | null; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { digest: 'sha256' },
  ES256: { digest: 'sha256', dsaEncoding: 'ieee-p1363' }, // JWS wants r||s, not DER
  EdDSA: { digest: null },
};

function encode(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

/** Signs any header/payload with a private key (RS256, ES256 or EdDSA), as another issuer or an attacker could. */
export function signAsymmetricJwt(header: Record<string, unknown>, payload: Record<string, unknown>, privateKey: KeyLike): string {
  const settings = SIGNATURE_SETTINGS[String(header.alg)];
  if (!settings) throw new Error(`unsupported alg ${String(header.alg)}`);
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = sign(settings.digest, Buffer.from(input), { key: privateKey, dsaEncoding: settings.dsaEncoding } as never);
  return `${input}.${signature.toString('base64url')}`;
}

/** Verifies a JWS signature with a public key, the way a resource server holding only the JWKS would. */
export function verifyJwsSignature(token: string, alg: string, publicKey: KeyLike): boolean {
  const settings = SIGNATURE_SETTINGS[alg];
  if (!settings) throw new Error(`unsupported alg ${alg}`);
  const [header, payload, signature] = token.split('.');
  return verify(
    settings.digest,
    Buffer.from(`${header}.${payload}`),
    { key: publicKey, dsaEncoding: settings.dsaEncoding } as never,
    Buffer.from(signature, 'base64url'),
  );
}
