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

  async create(session: NewSessionRecord): Promise<SessionRecord> {
    const record: SessionRecord = { ...session, generation: 0, rotatedAt: null, revokedAt: null, revokedReason: null };
    this.sessions.set(record.id, record);
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
    record.revokedAt = now;
    record.revokedReason = reason;
    return true;
  }

  async revokeAllForUser(userId: string, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    const revoked: string[] = [];
    for (const record of this.sessions.values()) {
      if (record.userId === userId && !record.revokedAt) {
        record.revokedAt = now;
        record.revokedReason = reason;
        revoked.push(record.id);
      }
    }
    return revoked;
  }

  async revokeLeastRecentlyUsed(userId: string, keep: number, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    const live = [...this.sessions.values()]
      .filter((record) => record.userId === userId && isLive(record, now))
      .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
    const excess = live.slice(keep);
    for (const record of excess) {
      record.revokedAt = now;
      record.revokedReason = reason;
    }
    return excess.map((record) => record.id);
  }

  async listActiveForUser(userId: string, now: Date): Promise<SessionRecord[]> {
    return [...this.sessions.values()]
      .filter((r) => r.userId === userId && !r.revokedAt && r.idleExpiresAt > now && r.absoluteExpiresAt > now)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map((r) => ({ ...r }));
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    let deleted = 0;
    for (const [id, record] of this.sessions) {
      if (deleted >= limit) break;
      if (record.idleExpiresAt <= now || record.absoluteExpiresAt <= now) {
        this.sessions.delete(id);
        deleted += 1;
      }
    }
    return deleted;
  }
}

function isLive(record: SessionRecord, now: Date): boolean {
  return !record.revokedAt && record.idleExpiresAt.getTime() > now.getTime() && record.absoluteExpiresAt.getTime() > now.getTime();
}
