import { describe, expect, it } from '@jest/globals';
import { createHmac, randomBytes } from 'node:crypto';
import { PreparedHmac } from './prepared-hmac.js';

describe('PreparedHmac', () => {
  // Key lengths around each hash's block (64 bytes for SHA-256, 128 for SHA-384/512): shorter keys are zero-padded,
  // longer ones hashed first (RFC 2104 §2).
  const keyLengths = [0, 1, 32, 63, 64, 65, 127, 128, 129, 300];
  const messages = ['', 'a', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9', 'x'.repeat(1000), 'naïve ✓ 😀', 'lone surrogate \ud800 end'];

  it.each(['sha256', 'sha384', 'sha512'])('gives the bytes createHmac gives, for %s, every key length and message', (hashName) => {
    for (const keyLength of keyLengths) {
      const key = randomBytes(keyLength);
      const hmac = new PreparedHmac(hashName, key, 1024);
      for (const message of messages) {
        expect({ keyLength, message, mac: hmac.digestBase64url(message) }).toEqual({
          keyLength,
          message,
          mac: createHmac(hashName, key).update(message).digest('base64url'),
        });
      }
    }
  });

  it('takes a text key as UTF-8, like createHmac', () => {
    const secret = 'a-32-byte-or-longer-secret-ünïcode-for-tests';
    expect(new PreparedHmac('sha256', secret, 64).digestBase64url('message')).toBe(createHmac('sha256', secret).update('message').digest('base64url'));
  });

  it('gives the right HMAC for messages longer than its buffer (never a truncated one), and afterwards for short ones again', () => {
    const key = randomBytes(32);
    const hmac = new PreparedHmac('sha256', key, 16);
    for (const message of ['y'.repeat(16), '€'.repeat(16), '😀'.repeat(8), 'w'.repeat(17), 'v'.repeat(5000), 'y'.repeat(5)]) {
      expect(hmac.digestBase64url(message)).toBe(createHmac('sha256', key).update(message).digest('base64url'));
    }
  });

  it('gives each message its own HMAC when messages of one length alternate (the reused buffer holds no leftovers)', () => {
    const key = randomBytes(32);
    const hmac = new PreparedHmac('sha256', key, 64);
    const [first, second, shorter] = ['message-one', 'message-two', 'message'];
    expect(hmac.digestBase64url(first)).toBe(createHmac('sha256', key).update(first).digest('base64url'));
    expect(hmac.digestBase64url(second)).toBe(createHmac('sha256', key).update(second).digest('base64url'));
    expect(hmac.digestBase64url(shorter)).toBe(createHmac('sha256', key).update(shorter).digest('base64url'));
  });

  it('refuses hash functions it has no block size for', () => {
    expect(() => new PreparedHmac('md5', 'secret', 64)).toThrow(RangeError);
  });
});
