// The least an uncached HS256 verification can cost (issue 16): the HMAC over the signing input with a prepared key,
// plus decoding the payload, with no checks at all. Measured beside our verification in the micro-benchmark and, on
// the server's own core, by the many-users servers (for the ceiling of that scenario).
//
// The HMAC is the cheapest node:crypto offers for a short message: RFC 2104's two hashes as one-shot `crypto.hash`
// calls over key blocks padded once (~1.1 µs for a 300-byte token where `createHmac().update().digest()` takes ~1.9 µs,
// its per-call object and native handle costing more than the hashing). The library's verifier computes it the same
// way, so the floor must too, or the ratio would credit us with a cheaper HMAC rather than less overhead.
import { hash } from 'node:crypto';
import { ACCESS_SECRET } from './shared.js';

/**
 * HMAC-SHA256 state prepared once (RFC 2104): the inner input starts with K ⊕ ipad and each signing input is written
 * after it, the outer input starts with K ⊕ opad and each inner digest is written after it, with a view per message
 * length kept (the cheapest way found: no allocation per call but the digests). For {@link hmacAndDecode}.
 */
export interface FloorKey {
  inner: Buffer;
  outer: Buffer;
  innerViews: Map<number, Buffer>;
}

const BLOCK_BYTES = 64;

/** The bench's access-token secret as prepared HMAC state (the secret is shorter than a block, so it is not hashed first). */
export function accessSecretKey(): FloorKey {
  const key = { inner: Buffer.alloc(BLOCK_BYTES + 3 * 8192), outer: Buffer.alloc(BLOCK_BYTES + 32), innerViews: new Map<number, Buffer>() };
  const block = Buffer.alloc(BLOCK_BYTES);
  Buffer.from(ACCESS_SECRET).copy(block);
  for (let i = 0; i < BLOCK_BYTES; i += 1) {
    key.inner[i] = block[i]! ^ 0x36;
    key.outer[i] = block[i]! ^ 0x5c;
  }
  return key;
}

/** One floor operation on `token`: its HMAC (base64url) and its decoded payload. */
export function hmacAndDecode(token: string, key: FloorKey): [string, unknown] {
  const payloadStart = token.indexOf('.') + 1;
  const signatureDot = token.lastIndexOf('.');
  // The bench's tokens are ~300 characters; the buffer holds 8,192 (3 bytes each), so nothing is cut off.
  const length = key.inner.write(token.slice(0, signatureDot), BLOCK_BYTES, 'utf8');
  let view = key.innerViews.get(length);
  if (!view) key.innerViews.set(length, (view = key.inner.subarray(0, BLOCK_BYTES + length)));
  hash('sha256', view, 'buffer').copy(key.outer, BLOCK_BYTES);
  const signature = hash('sha256', key.outer, 'base64url');
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
