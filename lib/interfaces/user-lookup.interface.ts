import type { AccessTokenClaims, UserId } from './token-payloads.interface.js';

/**
 * The contract between the library and your users table. Passwords are entirely your business: the library hands the
 * username and password to {@link UserLookup.validateCredentials} and never sees a hash. Whatever it returns is only
 * passed back to {@link UserLookup.toAccessTokenClaims}, so secrets cannot leak into tokens or responses unless that
 * method puts them there.
 */
export interface UserLookup<TUser = unknown> {
  /**
   * Returns the user when the username and password match, otherwise `null`. To avoid user enumeration, spend the same
   * time for an unknown user as for a wrong password (verify against a dummy hash).
   */
  validateCredentials(username: string, password: string): Promise<TUser | null>;
  /** Returns the user with this id, or `null` when it was deleted or disabled (refresh then fails and the session is revoked). */
  findById(userId: UserId): Promise<TUser | null>;
  /** Maps a user to the access-token claims; must include `userId`, usually `username`. Never include secrets. */
  toAccessTokenClaims(user: TUser): AccessTokenClaims;
  /**
   * Checks the password of a known user, for re-authentication (`POST <prefix>/reauthenticate`). Optional: without it
   * the library calls {@link UserLookup.validateCredentials} with the user's `username` claim and checks the result is
   * the same user.
   */
  verifyPassword?(user: TUser, password: string): Promise<boolean>;
}

/** Injection token under which the configured {@link UserLookup} is available. */
export const USER_LOOKUP = Symbol('DUAL_TOKEN_AUTH:USER_LOOKUP');
