import { KeyObject } from 'node:crypto';
import type { KeyMaterial } from '../interfaces/dual-token-auth-options.interface.js';

/**
 * The key's bytes (secret bytes, or the PEM text of an asymmetric key), whatever form it was given in. Used to measure
 * and compare keys at startup only.
 */
export function describeKeyMaterial(key: KeyMaterial): Buffer {
  const material = toFastJwtKey(key);
  return typeof material === 'string' ? Buffer.from(material, 'utf8') : Buffer.from(material);
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
