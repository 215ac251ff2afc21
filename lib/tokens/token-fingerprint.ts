/** Characters at the end of a token (all signature, so effectively random) that make up its fingerprint. */
const FINGERPRINT_LENGTH = 8;

/**
 * A 32-bit number that tells tokens apart in practice: FNV-1a over the last {@link FINGERPRINT_LENGTH} characters,
 * which are signature (48 random bits). Used where a token is looked up on every request (the verified-token cache,
 * its admission filter): a token arrives as a fresh string each time, and a number is hashed and compared far faster
 * than a string (here ~30 ns against ~160 ns for a 32-character key). It only says where to look: two tokens may share
 * a fingerprint, so whoever finds an entry by it must still compare the whole token.
 */
export function tokenFingerprint(token: string): number {
  let hash = 0x811c9dc5;
  for (let i = Math.max(0, token.length - FINGERPRINT_LENGTH); i < token.length; i += 1) {
    hash = Math.imul(hash ^ token.charCodeAt(i), 0x01000193);
  }
  return hash | 0;
}
