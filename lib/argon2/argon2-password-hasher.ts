import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { PasswordHasher } from '../interfaces/password-hasher.interface.js';

/** argon2id cost parameters. */
export interface Argon2Parameters {
  /** Memory per hash in KiB. @default 19456 (19 MiB, OWASP's minimum for argon2id) */
  memoryCost?: number;
  /** Number of passes. @default 2 */
  timeCost?: number;
  /** Lanes. @default 1 */
  parallelism?: number;
}

// `@node-rs/argon2` declares its Algorithm enum as an ambient const enum, which isolated modules cannot read; 2 is Argon2id.
const ARGON2ID = 2;
const PHC_PARAMETERS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * argon2id through `@node-rs/argon2` (an optional peer dependency: install it to use this entry point).
 *
 * Why this binding: it ships prebuilt binaries (no compiler on install, unlike the `argon2` package), and measured on
 * this project's machines one hash with OWASP's minimum parameters costs ~14 ms versus ~80 ms for bcrypt cost 10 and
 * ~55 ms for `node:crypto` scrypt N=2^14. Hashing runs on libuv's thread pool, never on the event loop, so a login
 * storm does not stall requests that only verify access tokens.
 */
export class Argon2PasswordHasher implements PasswordHasher {
  private readonly parameters: Required<Argon2Parameters>;
  private dummyHash?: Promise<string>;

  constructor(parameters: Argon2Parameters = {}) {
    this.parameters = { memoryCost: 19_456, timeCost: 2, parallelism: 1, ...parameters };
  }

  hash(password: string): Promise<string> {
    return hash(password, { algorithm: ARGON2ID, ...this.parameters });
  }

  async verify(storedHash: string, password: string): Promise<boolean> {
    if (typeof storedHash !== 'string' || !storedHash.startsWith('$argon2')) return false;
    try {
      return await verify(storedHash, password);
    } catch {
      return false;
    }
  }

  async verifyAgainstDummy(password: string): Promise<false> {
    // Made once with the current parameters, so it costs exactly what a real user's verification costs.
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(await this.dummyHash, password);
    return false;
  }

  needsRehash(storedHash: string): boolean {
    const match = PHC_PARAMETERS.exec(storedHash);
    if (!match) return true;
    const [memoryCost, timeCost, parallelism] = match.slice(1).map(Number);
    return (
      memoryCost < this.parameters.memoryCost || timeCost < this.parameters.timeCost || parallelism < this.parameters.parallelism
    );
  }
}
