/** A session found live: whose it is, and until when that answer may be reused. */
interface LiveEntry {
  ownerId: string;
  /** Epoch ms after which the store must be asked again. */
  freshUntil: number;
  /** Epoch ms from which a request that uses the answer also has it looked up again, in the background. */
  refreshFrom: number;
}

/** Looks a session up in the store: the owner of a live session, or `null` when it is revoked, expired or unknown. */
export type SessionOwnerLookup = (sessionId: string) => Promise<string | null>;

/** Which part of `ttlMs`, at its end, renews an answer in the background while it is still used. */
const REFRESH_AHEAD_SHARE = 0.2;

/**
 * Per-process cache of "is this session still active, and whose is it?" answers, so that rejecting revoked access
 * tokens costs one store lookup per session per `ttlMs`, not one per request. `ttlMs` is the staleness bound across
 * instances: another instance's logout is seen here at most `ttlMs` later; this process's own revocations at once.
 *
 * Revoked sessions are kept apart from live ones, for `revokedRetentionMs` (the longest an access token of the
 * session can still verify). A flood of live sessions can only evict live answers, never a "revoked": otherwise an
 * attacker could push a revocation out of the cache and, during a store outage, have the stolen token accepted again.
 * Both maps are bounded (oldest first out), so memory cannot grow with the number of sessions.
 *
 * Refresh ahead: a request in the last fifth of an answer's `ttlMs` still gets the cached answer at once, and starts
 * one lookup in the background whose answer replaces it. A session in use therefore never waits for the store (its
 * requests stay synchronous instead of queueing behind a lookup every `ttlMs`), while an answer is still never used
 * longer than `ttlMs` after the lookup that produced it: the staleness bound is unchanged. A failed background lookup
 * changes nothing; the answer then expires as usual and the next request asks the store itself.
 */
export class SessionActivityCache {
  private readonly live = new Map<string, LiveEntry>();
  /** Session id → epoch ms until which it is known to be revoked. */
  private readonly revoked = new Map<string, number>();
  private readonly pending = new Map<string, Promise<string | null>>();

  /**
   * @param ttlMs how long an answer is used after its lookup (the staleness bound across instances)
   * @param revokedRetentionMs how long a "revoked" is kept (the longest an access token can still verify)
   * @param lookup asks the store; also used for the background refreshes
   * @param maxLiveEntries live answers kept at most (oldest out first)
   * @param maxRevokedEntries revocations kept at most (oldest out first)
   */
  constructor(
    private readonly ttlMs: number,
    private readonly revokedRetentionMs: number,
    private readonly lookup: SessionOwnerLookup,
    private readonly maxLiveEntries = 10_000,
    private readonly maxRevokedEntries = 100_000,
  ) {}

  /**
   * The cached answer for a token of `userId` in this session, or `undefined` when the store must be asked (then
   * {@link SessionActivityCache.resolve}). A session owned by someone else is never active for this user; without a
   * `userId` only liveness counts. Near the end of the answer's life, also starts its renewal in the background.
   */
  peek(sessionId: string, userId: string | undefined, now: number): boolean | undefined {
    if (this.isKnownRevoked(sessionId, now)) return false;
    const entry = this.live.get(sessionId);
    if (!entry || entry.freshUntil <= now) return undefined;
    if (now >= entry.refreshFrom && !this.pending.has(sessionId)) this.refreshInBackground(sessionId);
    return ownedBy(entry.ownerId, userId);
  }

  /**
   * Looks the session up once, even when many requests for it arrive together, caches the answer and judges it for
   * `userId`. When the lookup fails (store unreachable), `onLookupFailure` decides from the last known answer
   * (`undefined` when there is none) — it may also throw, which rejects the returned promise.
   */
  async resolve(
    sessionId: string,
    userId: string | undefined,
    onLookupFailure: (error: unknown, lastKnown: boolean | undefined) => boolean,
  ): Promise<boolean> {
    let owner: string | null;
    try {
      owner = await this.lookupOnce(sessionId);
    } catch (error) {
      return onLookupFailure(error, this.lastKnown(sessionId, userId));
    }
    return owner !== null && ownedBy(owner, userId) && !this.isKnownRevoked(sessionId, Date.now());
  }

  /** Records a revocation the store has accepted, so it takes effect here immediately. */
  markRevoked(sessionId: string): void {
    this.live.delete(sessionId);
    this.revoked.delete(sessionId);
    if (this.revoked.size >= this.maxRevokedEntries) this.revoked.delete(this.revoked.keys().next().value!);
    this.revoked.set(sessionId, Date.now() + this.revokedRetentionMs);
  }

  /** Renews a live answer that is still in use; its failure is left to the next lookup after the answer expired. */
  private refreshInBackground(sessionId: string): void {
    this.lookupOnce(sessionId).catch(() => undefined);
  }

  private lookupOnce(sessionId: string): Promise<string | null> {
    let inFlight = this.pending.get(sessionId);
    if (!inFlight) {
      inFlight = this.lookup(sessionId)
        .then((owner) => {
          // A session that is not active never becomes active again: an answer that raced with a revocation
          // (markRevoked while the lookup was in flight) must not resurrect it.
          if (owner === null) this.markRevoked(sessionId);
          else if (!this.isKnownRevoked(sessionId, Date.now())) this.rememberLive(sessionId, owner);
          return owner;
        })
        .finally(() => this.pending.delete(sessionId));
      this.pending.set(sessionId, inFlight);
    }
    return inFlight;
  }

  private lastKnown(sessionId: string, userId: string | undefined): boolean | undefined {
    if (this.isKnownRevoked(sessionId, Date.now())) return false;
    const entry = this.live.get(sessionId);
    return entry ? ownedBy(entry.ownerId, userId) : undefined;
  }

  private isKnownRevoked(sessionId: string, now: number): boolean {
    const keepUntil = this.revoked.get(sessionId);
    if (keepUntil === undefined) return false;
    if (keepUntil > now) return true;
    this.revoked.delete(sessionId);
    return false;
  }

  private rememberLive(sessionId: string, ownerId: string): void {
    this.live.delete(sessionId);
    if (this.live.size >= this.maxLiveEntries) this.live.delete(this.live.keys().next().value!);
    const now = Date.now();
    this.live.set(sessionId, { ownerId, freshUntil: now + this.ttlMs, refreshFrom: now + this.ttlMs * (1 - REFRESH_AHEAD_SHARE) });
  }
}

function ownedBy(ownerId: string, userId: string | undefined): boolean {
  return userId === undefined || ownerId === userId;
}
