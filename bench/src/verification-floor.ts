// The least an uncached HS256 verification can cost (issue 16): the HMAC over the signing input with a prepared key,
// plus decoding the payload, with no checks at all. Measured beside our verification in the micro-benchmark and, on
// the server's own core, by the many-users servers (for the ceiling of that scenario).
import { createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import { ACCESS_SECRET } from './shared.js';

/** The bench's access-token secret as the prepared key the floor uses. */
export function accessSecretKey(): KeyObject {
  return createSecretKey(Buffer.from(ACCESS_SECRET));
}

/** One floor operation on `token`: its HMAC (base64url) and its decoded payload. */
export function hmacAndDecode(token: string, key: KeyObject): [string, unknown] {
  const payloadStart = token.indexOf('.') + 1;
  const signatureDot = token.lastIndexOf('.');
  const signature = createHmac('sha256', key).update(token.slice(0, signatureDot)).digest('base64url');
  return [signature, JSON.parse(Buffer.from(token.slice(payloadStart, signatureDot), 'base64url').toString('utf8'))];
}

/** Nanoseconds per floor operation over `tokens`: the median of 7 passes of 20,000 operations after one warm-up pass. */
export function measureVerificationFloorNs(tokens: readonly string[]): number {
  const key = accessSecretKey();
  const perPass = 20_000;
  const samples: number[] = [];
  let sink: unknown;
  for (let pass = 0; pass < 8; pass += 1) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < perPass; i += 1) sink = hmacAndDecode(tokens[(pass * perPass + i) % tokens.length]!, key);
    if (pass > 0) samples.push(Number(process.hrtime.bigint() - start) / perPass);
  }
  if (sink === Symbol.for('never')) console.log(sink);
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}
