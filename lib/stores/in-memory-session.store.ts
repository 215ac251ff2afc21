import type {
  NewSessionRecord,
  RotationUpdate,
  SessionRecord,
  SessionRevocationReason,
  SessionStore,
} from '../interfaces/session-store.interface.js';

/**
 * Sessions in a `Map`: for tests, and for single-instance apps that accept losing every session on restart.
 * Node runs each call to completion without interleaving, which makes `rotate` a true compare-and-set here.
 * Returns copies so callers cannot mutate stored state.
 */
export class InMemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();
  /**
   * Each user's sessions that are not revoked (expired ones included until `deleteExpired` removes them), in creation
   * order. Every login asks for one user's live sessions (the `maxSessionsPerUser` check); scanning all sessions
   * instead made each login cost time in proportion to everyone's sessions, revoked ones included (they stay until
   * they expire), so a login storm slowed itself down as it went.
   */
  private readonly unrevokedByUser = new Map<string, Map<string, SessionRecord>>();

  async create(session: NewSessionRecord): Promise<SessionRecord> {
    const record: SessionRecord = { ...session, generation: 0, rotatedAt: null, revokedAt: null, revokedReason: null };
    this.sessions.set(record.id, record);
    let ofUser = this.unrevokedByUser.get(record.userId);
    if (!ofUser) this.unrevokedByUser.set(record.userId, (ofUser = new Map()));
    ofUser.set(record.id, record);
    return { ...record };
  }

  async findById(sessionId: string): Promise<SessionRecord | null> {
    const record = this.sessions.get(sessionId);
    return record ? { ...record } : null;
  }

  async rotate(sessionId: string, expectedGeneration: number, update: RotationUpdate): Promise<boolean> {
    const record = this.sessions.get(sessionId);
    if (!record || record.userId !== update.userId || record.revokedAt || record.generation !== expectedGeneration) return false;
    const now = update.now.getTime();
    if (record.idleExpiresAt.getTime() <= now || record.absoluteExpiresAt.getTime() <= now) return false;
    record.generation += 1;
    record.rotatedAt = update.now;
    record.lastUsedAt = update.now;
    record.idleExpiresAt = update.idleExpiresAt;
    return true;
  }

  async revoke(sessionId: string, reason: SessionRevocationReason, now: Date): Promise<boolean> {
    const record = this.sessions.get(sessionId);
    if (!record || record.revokedAt) return false;
    this.markRevoked(record, reason, now);
    return true;
  }

  async revokeAllForUser(userId: string, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    const unrevoked = [...this.unrevokedOf(userId)];
    for (const record of unrevoked) this.markRevoked(record, reason, now);
    return unrevoked.map((record) => record.id);
  }

  async revokeLeastRecentlyUsed(userId: string, keep: number, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    const live = [...this.unrevokedOf(userId)].filter((record) => isLive(record, now));
    if (live.length <= keep) return [];
    // At the limit, each new login pushes out exactly one session: found in one pass rather than by sorting them all.
    // Among sessions last used in the same millisecond the older ones go, so the session just created stays.
    const excess =
      live.length - keep === 1
        ? [leastRecentlyUsed(live)]
        : live.reverse().sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime()).slice(keep);
    for (const record of excess) this.markRevoked(record, reason, now);
    return excess.map((record) => record.id);
  }

  async listActiveForUser(userId: string, now: Date): Promise<SessionRecord[]> {
    return [...this.unrevokedOf(userId)]
      .filter((r) => r.idleExpiresAt > now && r.absoluteExpiresAt > now)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((r) => ({ ...r }));
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    let deleted = 0;
    for (const [id, record] of this.sessions) {
      if (deleted >= limit) break;
      if (record.idleExpiresAt <= now || record.absoluteExpiresAt <= now) {
        this.sessions.delete(id);
        this.forgetUnrevoked(record);
        deleted += 1;
      }
    }
    return deleted;
  }

  private unrevokedOf(userId: string): Iterable<SessionRecord> {
    return this.unrevokedByUser.get(userId)?.values() ?? [];
  }

  private markRevoked(record: SessionRecord, reason: SessionRevocationReason, now: Date): void {
    record.revokedAt = now;
    record.revokedReason = reason;
    this.forgetUnrevoked(record);
  }

  private forgetUnrevoked(record: SessionRecord): void {
    const ofUser = this.unrevokedByUser.get(record.userId);
    if (!ofUser?.delete(record.id) || ofUser.size > 0) return;
    this.unrevokedByUser.delete(record.userId);
  }
}

/** The session used longest ago; the first created among equals (`records` are in creation order). */
function leastRecentlyUsed(records: SessionRecord[]): SessionRecord {
  return records.reduce((oldest, record) => (record.lastUsedAt.getTime() < oldest.lastUsedAt.getTime() ? record : oldest));
}

function isLive(record: SessionRecord, now: Date): boolean {
  return !record.revokedAt && record.idleExpiresAt.getTime() > now.getTime() && record.absoluteExpiresAt.getTime() > now.getTime();
}
