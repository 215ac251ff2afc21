import { KeyObject } from 'node:crypto';
import type { KeyMaterial } from '../interfaces/dual-token-auth-options.interface.js';

/**
 * Raw bytes of an HMAC secret given as a string, Buffer or secret `KeyObject`. Used to measure and compare secrets
 * at startup only.
 */
export function describeKeyMaterial(key: KeyMaterial): Buffer {
  if (key instanceof KeyObject) {
    return key.type === 'secret' ? key.export() : Buffer.from(key.export({ format: 'pem', type: key.type === 'private' ? 'pkcs8' : 'spki' }));
  }
  return typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
}

/**
 * fast-jwt accepts strings and Buffers (and builds its `KeyObject` once per signer/verifier); a `KeyObject` given by
 * the user is turned into the matching form once, at startup.
 */
export function toFastJwtKey(key: KeyMaterial): string | Buffer {
  if (key instanceof KeyObject) {
    if (key.type === 'secret') return key.export();
    return key.export({ format: 'pem', type: key.type === 'private' ? 'pkcs8' : 'spki' }) as string;
  }
  return key;
}
