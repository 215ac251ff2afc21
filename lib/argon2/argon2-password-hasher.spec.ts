import { describe, expect, it } from '@jest/globals';
import { Argon2PasswordHasher } from './argon2-password-hasher.js';

describe('Argon2PasswordHasher', () => {
  const hasher = new Argon2PasswordHasher();

  it('hashes with argon2id and OWASP parameters, a fresh salt each time, and verifies', async () => {
    const first = await hasher.hash('correct horse');
    const second = await hasher.hash('correct horse');
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
    await expect(hasher.verify(first, 'correct horse')).resolves.toBe(true);
    await expect(hasher.verify(first, 'wrong horse')).resolves.toBe(false);
  });

  it('answers false instead of throwing for malformed or foreign hashes', async () => {
    for (const stored of ['', 'plaintext-password', '$2b$10$abcdefghijklmnopqrstuv', '$argon2id$v=19$m=bad']) {
      await expect(hasher.verify(stored, 'plaintext-password')).resolves.toBe(false);
    }
  });

  it('asks for a rehash when a stored hash is weaker than the current parameters or not argon2id', async () => {
    const weak = await new Argon2PasswordHasher({ memoryCost: 4096, timeCost: 1 }).hash('pw');
    expect(hasher.needsRehash(weak)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('pw'))).toBe(false);
    expect(hasher.needsRehash('$2b$10$abcdefghijklmnopqrstuv')).toBe(true);
    expect(new Argon2PasswordHasher({ memoryCost: 4096, timeCost: 1 }).needsRehash(await hasher.hash('pw'))).toBe(false);
  });

  it('verifyAgainstDummy always answers false', async () => {
    await expect(hasher.verifyAgainstDummy('anything')).resolves.toBe(false);
  });
});
