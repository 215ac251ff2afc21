interface CacheEntry {
  active: boolean;
  /** Epoch ms after which the answer must be fetched again. */
  freshUntil: number;
}

/**
 * Per-process cache of "is this session still active?" answers, so that rejecting revoked access tokens costs one
 * store lookup per session per `ttlMs`, not one per request. `ttlMs` is the staleness bound across instances: another
 * instance's logout is seen here at most `ttlMs` later; this instance's own revocations are seen at once.
 *
 * Bounded by `maxEntries` (oldest inserted evicted first), so memory cannot grow with the number of sessions.
 */
export class SessionActivityCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached answer if it is still fresh, else `undefined` (the caller then uses {@link SessionActivityCache.resolve}). */
  peek(sessionId: string, now: number): boolean | undefined {
    const entry = this.entries.get(sessionId);
    return entry && entry.freshUntil > now ? entry.active : undefined;
  }

  /**
   * Looks the session up once, even when many requests for it arrive together, and caches the answer. When the lookup
   * fails (store unreachable), `onLookupFailure` decides the answer from the last known one, which is cached for one
   * period too so that an outage does not turn every request into a failing store call.
   */
  resolve(
    sessionId: string,
    lookup: () => Promise<boolean>,
    onLookupFailure: (error: unknown, lastKnown: boolean | undefined) => boolean,
  ): Promise<boolean> {
    let inFlight = this.pending.get(sessionId);
    if (!inFlight) {
      inFlight = lookup()
        .catch((error: unknown) => onLookupFailure(error, this.entries.get(sessionId)?.active))
        .then((active) => {
          // A session that is not active never becomes active again: an answer that raced with a revocation
          // (markRevoked while the lookup was in flight) must not resurrect it.
          const settled = active && this.entries.get(sessionId)?.active !== false;
          this.set(sessionId, settled, Date.now());
          return settled;
        })
        .finally(() => this.pending.delete(sessionId));
      this.pending.set(sessionId, inFlight);
    }
    return inFlight;
  }

  /** Records a revocation made by this process, so it takes effect here immediately. */
  markRevoked(sessionId: string): void {
    // A revoked session never becomes active again, so this answer may be kept as long as any other.
    this.set(sessionId, false, Date.now());
  }

  private set(sessionId: string, active: boolean, now: number): void {
    this.entries.delete(sessionId);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(sessionId, { active, freshUntil: now + this.ttlMs });
  }
}
