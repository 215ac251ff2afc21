interface CachedVerification {
  /** The whole token text that passed verification; a hit must match it exactly. */
  token: string;
  payload: Record<string, unknown>;
  /** Epoch ms from which the token is valid (`nbf` minus the clock tolerance), 0 without `nbf`. */
  validFrom: number;
  /** Epoch ms until which the token is valid (`exp` plus the clock tolerance). */
  validUntil: number;
}

/**
 * How many characters at the end of a token (all signature: 192 bits) are the lookup key. A token arrives as a fresh
 * string on every request, so the lookup pays for hashing whatever it is keyed by; a short tail hashes faster than the
 * whole token.
 */
const LOOKUP_KEY_LENGTH = 32;

/**
 * Remembers successfully verified access tokens, so a client that sends the same token on every request pays the
 * signature check about twice per token instead of once per request (tokens are admitted on their second
 * verification: see SecondSightingFilter).
 *
 * A hit requires the presented token to equal the verified one character for character; the signature tail is only
 * where to look. A forged token that copies a cached token's signature therefore misses, goes through full
 * verification and fails, and it does not evict the entry it collided with.
 *
 * Why not fast-jwt's own cache: it hashes every token with SHA-256 to build its key, which costs more than the rest
 * of a cached verification together. Only successes are stored, expiry is re-checked on every hit, and the size is bounded (oldest entry
 * dropped first), so memory does not grow with traffic.
 */
export class VerifiedTokenCache {
  /** By the last {@link LOOKUP_KEY_LENGTH} characters of the token. */
  private readonly entries = new Map<string, CachedVerification>();

  constructor(
    private readonly maxEntries: number,
    private readonly clockToleranceMs: number,
  ) {}

  /** The cached payload when the token was verified before and is still within its validity window. */
  get(token: string, now: number): Record<string, unknown> | undefined {
    const key = token.slice(-LOOKUP_KEY_LENGTH);
    const entry = this.entries.get(key);
    if (!entry || entry.token !== token) return undefined;
    if (now >= entry.validUntil || now < entry.validFrom) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.payload;
  }

  /** Stores a payload that has just passed full verification. */
  set(token: string, payload: Record<string, unknown>): void {
    if (typeof payload.exp !== 'number') return;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token.slice(-LOOKUP_KEY_LENGTH), {
      token,
      payload,
      validFrom: typeof payload.nbf === 'number' ? payload.nbf * 1000 - this.clockToleranceMs : 0,
      validUntil: payload.exp * 1000 + this.clockToleranceMs,
    });
  }
}
