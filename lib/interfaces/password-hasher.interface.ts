/**
 * Password hashing as the user lookup needs it. The library's own implementation is `Argon2PasswordHasher` from
 * `nestjs-dual-token-auth/argon2`; any other (bcrypt, scrypt) fits the same shape.
 */
export interface PasswordHasher {
  /** A self-describing hash string (PHC format) of the password, with a fresh salt. */
  hash(password: string): Promise<string>;
  /** Whether the password matches the stored hash; `false` (never an exception) for a malformed hash. */
  verify(storedHash: string, password: string): Promise<boolean>;
  /**
   * Spends the same time as a real verification and returns `false`: call it when the user does not exist, so that
   * "unknown user" and "wrong password" cannot be told apart by timing.
   */
  verifyAgainstDummy(password: string): Promise<false>;
  /** Whether a stored hash uses weaker parameters than the current ones and should be replaced after a successful login. */
  needsRehash(storedHash: string): boolean;
}
