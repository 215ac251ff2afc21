interface CachedVerification {
  payload: Record<string, unknown>;
  /** Epoch ms from which the token is valid (`nbf` minus the clock tolerance), 0 without `nbf`. */
  validFrom: number;
  /** Epoch ms until which the token is valid (`exp` plus the clock tolerance). */
  validUntil: number;
}

/**
 * Remembers successfully verified access tokens by their exact text, so a client that sends the same token on every
 * request pays the signature check once per token instead of once per request.
 *
 * Why not fast-jwt's own cache: it hashes every token with SHA-256 to build its key, which measured as two thirds of
 * the guard's cost; an exact-text key is cheaper and cannot collide. Only successes are stored, expiry is re-checked
 * on every hit, and the size is bounded (oldest entry dropped first), so memory does not grow with traffic.
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, CachedVerification>();

  constructor(
    private readonly maxEntries: number,
    private readonly clockToleranceMs: number,
  ) {}

  /** The cached payload when the token was verified before and is still within its validity window. */
  get(token: string, now: number): Record<string, unknown> | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (now >= entry.validUntil || now < entry.validFrom) {
      this.entries.delete(token);
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
    this.entries.set(token, {
      payload,
      validFrom: typeof payload.nbf === 'number' ? payload.nbf * 1000 - this.clockToleranceMs : 0,
      validUntil: payload.exp * 1000 + this.clockToleranceMs,
    });
  }
}
