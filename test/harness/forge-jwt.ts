import { createHmac } from 'node:crypto';

const HMAC_HASH: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

function encode(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

/** Signs any header/payload with an HMAC secret, so tests can forge tokens an attacker (or a bug) could produce. */
export function signHmacJwt(header: Record<string, unknown>, payload: Record<string, unknown>, secret: string | Buffer): string {
  const alg = String(header.alg ?? 'HS256');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac(HMAC_HASH[alg] ?? 'sha256', secret).update(input).digest('base64url');
  return `${input}.${signature}`;
}

/** An `alg: none` token with an empty signature. */
export function unsignedJwt(payload: Record<string, unknown>, typ = 'at+jwt'): string {
  return `${encode({ alg: 'none', typ })}.${encode(payload)}.`;
}

/** Decodes a JWT's header and payload without verifying (test assertions only). */
export function decodeJwt(token: string): { header: Record<string, any>; payload: Record<string, any> } {
  const [header, payload] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()),
  };
}

/** Replaces the payload of a signed token, keeping the original signature (a tampering attempt). */
export function tamperPayload(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString());
  return `${header}.${encode({ ...decoded, ...changes })}.${signature}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);
