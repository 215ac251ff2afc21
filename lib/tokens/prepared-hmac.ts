import { createHash, createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';

/** Bytes of a hash function's input block: what RFC 2104 pads the key to. */
const BLOCK_BYTES: Record<string, number> = { sha256: 64, sha384: 128, sha512: 128 };
/** Bytes of the digest each hash function writes. */
const DIGEST_BYTES: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * HMAC (RFC 2104) of short UTF-8 messages under one key, computed as two one-shot hashes over key blocks prepared at
 * construction: HMAC(K, m) = H((K' ⊕ opad) ‖ H((K' ⊕ ipad) ‖ m)), where K' is the key (hashed first when longer than a
 * block) padded with zeros to one block. The result is the same bytes `createHmac(hashName, key)` gives; the spec
 * checks it against `createHmac` for keys and messages of every length class.
 *
 * Why not `createHmac`: in Node 20 each call builds a stream-capable `Hmac` object (a JS wrapper, a native handle and
 * the key schedule) before hashing ~300 bytes, which costs more than the hashing itself (on Node 20.19, for a
 * 300-byte token: ~1.9 µs for `createHmac().update().digest()`, ~1.1 µs for the two one-shot hashes here). Node has
 * no one-shot HMAC, but it has one-shot hashes (`crypto.hash`, Node ≥ 20.12), and HMAC is defined by two hashes.
 *
 * The message is written into one buffer reused by every call; that is safe because a call runs to completion
 * synchronously (no await, no callback), so two calls never overlap on it.
 */
export class PreparedHmac {
  private readonly hashName: string;
  private readonly blockBytes: number;
  /** The first block holds K' ⊕ ipad; each message is written after it. */
  private readonly innerInput: Buffer;
  /** The first block holds K' ⊕ opad; each inner digest is written after it. */
  private readonly outerInput: Buffer;
  /**
   * Views of `innerInput` by message length in bytes, made on first use: hashing needs a view of exactly block +
   * message, and allocating a Buffer view per call costs about a sixth of the HMAC. At most one per length that fits.
   */
  private readonly innerViews = new Map<number, Buffer>();
  /** For messages that may not fit {@link innerInput} (longer than real tokens): the standard API. */
  private readonly key: KeyObject;

  /**
   * @param hashName `sha256`, `sha384` or `sha512`.
   * @param secret The HMAC key (bytes, or text taken as UTF-8 as `createHmac` does).
   * @param maxMessageLength Messages of up to this many characters (UTF-16 code units) use the prepared path, longer
   *   ones `createHmac`: the buffer holds 3 bytes per character, the most UTF-8 takes.
   */
  constructor(hashName: string, secret: string | Buffer, maxMessageLength: number) {
    const blockBytes = BLOCK_BYTES[hashName];
    if (blockBytes === undefined) throw new RangeError(`unsupported HMAC hash ${hashName}`);
    this.hashName = hashName;
    this.blockBytes = blockBytes;
    const keyBytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
    this.key = createSecretKey(keyBytes);
    const blockKey = Buffer.alloc(blockBytes);
    (keyBytes.length > blockBytes ? createHash(hashName).update(keyBytes).digest() : keyBytes).copy(blockKey);
    this.innerInput = Buffer.alloc(blockBytes + 3 * maxMessageLength);
    this.outerInput = Buffer.alloc(blockBytes + DIGEST_BYTES[hashName]!);
    for (let i = 0; i < blockBytes; i += 1) {
      this.innerInput[i] = blockKey[i]! ^ 0x36;
      this.outerInput[i] = blockKey[i]! ^ 0x5c;
    }
  }

  /** The HMAC of `message` (encoded as UTF-8), as unpadded base64url. */
  digestBase64url(message: string): string {
    // Buffer.write stops at the buffer's end, so a message that might not fit goes the standard way, never truncated.
    if (message.length * 3 > this.innerInput.length - this.blockBytes) {
      return createHmac(this.hashName, this.key).update(message).digest('base64url');
    }
    const messageBytes = this.innerInput.write(message, this.blockBytes, 'utf8');
    let innerView = this.innerViews.get(messageBytes);
    if (!innerView) this.innerViews.set(messageBytes, (innerView = this.innerInput.subarray(0, this.blockBytes + messageBytes)));
    // 'binary' (latin1) maps each digest byte to one character and back: the cheapest way from one hash to the next.
    this.outerInput.write(hash(this.hashName, innerView, 'binary'), this.blockBytes, 'binary');
    return hash(this.hashName, this.outerInput, 'base64url');
  }
}
