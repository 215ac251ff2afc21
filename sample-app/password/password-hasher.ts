import { hash, verify, type Options } from '@node-rs/argon2';

/**
 * argon2id with OWASP's minimum parameters (19 MiB, 2 iterations, 1 lane): about 14 ms per hash on this project's
 * machines versus ~80 ms for bcrypt cost 10, with a prebuilt binary (no compiler on install). `@node-rs/argon2` runs
 * on libuv's thread pool, so hashing never blocks the event loop that serves other requests.
 */
// `algorithm: 2` is Argon2id: the package declares its enum as an ambient `const enum`, which isolated modules cannot read.
export const ARGON2_OPTIONS: Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export class PasswordHasher {
  /** A hash of a random string, verified against when the user does not exist so both cases cost the same time. */
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    try {
      return await verify(storedHash, password);
    } catch {
      // A malformed stored hash is a wrong password, not a server error.
      return false;
    }
  }

  /** Burns the same time as a real verification; always false. */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash(`dummy-${Math.random()}`);
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
