/** Slots of the filter: a power of two; 4 bytes each (32 KiB). */
const DEFAULT_SLOTS = 8192;

/**
 * Admission to the verified-token cache: a token may be cached on its second verification within a short while, not
 * its first (the "doorkeeper" of TinyLFU caches; TokenFrequencySketch then decides whether it is worth an entry).
 *
 * Why: on a server with many active users most tokens arrive once per cache lifetime, and storing each would evict an
 * entry per request and keep a token string and its payload alive just long enough to be promoted to V8's old
 * generation, making garbage the most expensive kind of garbage, for hits that never come. A token that repeats (a
 * busy user, a client sending the same token on every request) is admitted on its second request and hits from then
 * on. The filter is a fixed array of fingerprints, so checking it allocates nothing; a collision can only admit a
 * token early or late, never change what verification decides.
 */
export class SecondSightingFilter {
  private readonly fingerprints: Int32Array;
  private readonly mask: number;

  /** @param slots Fingerprints remembered, a power of two. @default 8192 */
  constructor(slots = DEFAULT_SLOTS) {
    if (!Number.isInteger(Math.log2(slots))) throw new RangeError(`slots must be a power of two, got ${slots}`);
    this.fingerprints = new Int32Array(slots);
    this.mask = slots - 1;
  }

  /**
   * Records the token with this fingerprint (tokenFingerprint); true when it was recorded before and no other token
   * has taken its slot since.
   */
  seenBefore(fingerprint: number): boolean {
    const slot = fingerprint & this.mask;
    if (this.fingerprints[slot] === fingerprint) return true;
    this.fingerprints[slot] = fingerprint;
    return false;
  }
}
