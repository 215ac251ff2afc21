import type {
  NewSessionRecord,
  RotationUpdate,
  SessionRecord,
  SessionRevocationReason,
  SessionStore,
} from '../interfaces/session-store.interface.js';
import { isLive } from '../sessions/session-lifetime.js';
import type { RedisClient } from './redis-client.js';
import { checkRedisDurability, type RedisDurabilityReport } from './redis-durability.check.js';
import { RedisSessionKeys } from './redis-session.keys.js';
import {
  CREATE_SESSION_SCRIPT,
  DELETE_IF_EXPIRED_SCRIPT,
  REVOKE_LEAST_RECENTLY_USED_SCRIPT,
  REVOKE_SESSION_SCRIPT,
  REVOKE_USER_SESSIONS_SCRIPT,
  ROTATE_SESSION_SCRIPT,
} from './redis-session.scripts.js';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /**
   * Prefix of every key the store writes, so several apps (or test runs) can share one Redis. Must not contain `{`
   * or `}` (they delimit the Cluster hash tags).
   * @default 'dta'
   */
  keyPrefix?: string;
  /**
   * How long a session hash is kept after its expiry, in milliseconds, before Redis drops it by TTL. It absorbs clock
   * differences between the app and Redis (the app judges expiry by its own clock) and lets a refresh with a
   * just-expired session be answered "expired" rather than "unknown".
   * @default 60000
   */
  retainExpiredMs?: number;
  /**
   * Checks at construction that every server (each master of a Cluster) runs with `appendonly yes` and
   * `maxmemory-policy noeviction`, and logs a warning otherwise: without them a restart or memory pressure silently
   * logs users out. The outcome is {@link RedisSessionStore.durability}.
   * @default true
   */
  checkDurability?: boolean;
  /**
   * How many sessions one script of `revokeAllForUser` revokes, and how many expired sessions `deleteExpired` handles
   * concurrently: bounds how long one script keeps Redis busy.
   * @default 1000
   */
  batchSize?: number;
}

/** The scripts as ioredis commands (registered with `defineCommand`, sent with EVALSHA and an EVAL fallback). */
interface SessionCommands {
  dualTokenAuthCreateSession(session: string, index: string, expireAt: number, id: string, created: number, ...fields: string[]): Promise<number>;
  dualTokenAuthRotateSession(session: string, expectedGeneration: string, now: number, idleExpiresAt: number, retainMs: number): Promise<number>;
  dualTokenAuthRevokeSession(session: string, index: string, now: number, reason: string, id: string): Promise<number>;
  dualTokenAuthRevokeUserSessions(index: string, now: number, reason: string, sessionPrefix: string, batch: number): Promise<[number, string[]]>;
  dualTokenAuthRevokeLeastRecentlyUsed(index: string, now: number, reason: string, sessionPrefix: string, keep: number): Promise<string[]>;
  dualTokenAuthDeleteIfExpired(session: string, index: string, now: number, id: string): Promise<number | string>;
}

const COMMANDS: Record<keyof SessionCommands, { lua: string; numberOfKeys: number }> = {
  dualTokenAuthCreateSession: { lua: CREATE_SESSION_SCRIPT, numberOfKeys: 2 },
  dualTokenAuthRotateSession: { lua: ROTATE_SESSION_SCRIPT, numberOfKeys: 1 },
  dualTokenAuthRevokeSession: { lua: REVOKE_SESSION_SCRIPT, numberOfKeys: 2 },
  dualTokenAuthRevokeUserSessions: { lua: REVOKE_USER_SESSIONS_SCRIPT, numberOfKeys: 1 },
  dualTokenAuthRevokeLeastRecentlyUsed: { lua: REVOKE_LEAST_RECENTLY_USED_SCRIPT, numberOfKeys: 1 },
  dualTokenAuthDeleteIfExpired: { lua: DELETE_IF_EXPIRED_SCRIPT, numberOfKeys: 2 },
};

/**
 * Sessions in Redis (a single server or a Redis Cluster), through an ioredis client the app owns.
 *
 * - `rotate` is one EVALSHA: a Lua compare-and-set on the session hash, found under the token's user, so concurrent
 *   refreshes on any number of instances cannot fork a family and a token cannot rotate another user's session.
 * - A user's sessions and the index of the unrevoked ones share the user's hash tag: logout-all revokes them with a
 *   few scripts (1000 sessions each), the per-user cap is one script, a revocation one script after the owner lookup.
 * - Each session hash expires by TTL at its idle/absolute expiry (plus `retainExpiredMs`); a rotation moves the TTL.
 *   No purge job is needed: `deleteExpired` only removes vanished sessions from the indexes.
 * - Nothing stored can be turned back into a token: the hash holds counters, timestamps, user agent and address.
 *
 * ```ts
 * const redis = new Redis(process.env.REDIS_URL);
 * DualTokenAuthModule.forRoot({ ..., sessionStore: new RedisSessionStore(redis) });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  /** Outcome of the startup durability check (resolves to `{ durable: true, problems: [] }` when it is disabled). */
  readonly durability: Promise<RedisDurabilityReport>;
  private readonly keys: RedisSessionKeys;
  private readonly retainExpiredMs: number;
  private readonly batchSize: number;
  private readonly commands: SessionCommands;

  constructor(
    private readonly redis: RedisClient,
    options: RedisSessionStoreOptions = {},
  ) {
    this.keys = new RedisSessionKeys(options.keyPrefix ?? 'dta');
    this.retainExpiredMs = options.retainExpiredMs ?? 60_000;
    this.batchSize = options.batchSize ?? 1000;
    for (const [name, definition] of Object.entries(COMMANDS)) {
      // Several stores on one client share the definitions (same scripts, same names).
      if (!(name in redis)) redis.defineCommand(name, definition);
    }
    this.commands = redis as unknown as SessionCommands;
    this.durability =
      options.checkDurability === false ? Promise.resolve({ durable: true, problems: [] }) : checkRedisDurability(redis);
  }

  async create(session: NewSessionRecord): Promise<SessionRecord> {
    const expiresAt = Math.min(session.idleExpiresAt.getTime(), session.absoluteExpiresAt.getTime());
    // The owner pointer never outlives the absolute expiry; the hash's TTL (moved by rotations) stays within it.
    const ownerUntil = session.absoluteExpiresAt.getTime() + this.retainExpiredMs;
    // Pointer and expiry index first: if the session write then fails, they name a session that does not exist
    // (harmless, cleaned by deleteExpired), never the other way round.
    await Promise.all([
      this.redis.set(this.keys.owner(session.id), session.userId, 'PXAT', ownerUntil),
      this.redis.zadd(this.keys.expiring(), expiresAt, JSON.stringify([session.id, session.userId])),
    ]);
    const fields = ['u', session.userId, 'g', '0', 'c', ms(session.createdAt), 'l', ms(session.lastUsedAt)];
    fields.push('ie', ms(session.idleExpiresAt), 'ae', ms(session.absoluteExpiresAt));
    if (session.userAgent !== null) fields.push('ua', session.userAgent);
    if (session.ip !== null) fields.push('ip', session.ip);
    await this.commands.dualTokenAuthCreateSession(
      this.keys.session(session.userId, session.id),
      this.keys.userSessions(session.userId),
      expiresAt + this.retainExpiredMs,
      session.id,
      session.createdAt.getTime(),
      ...fields,
    );
    return { ...session, generation: 0, rotatedAt: null, revokedAt: null, revokedReason: null };
  }

  async findById(sessionId: string): Promise<SessionRecord | null> {
    const userId = await this.redis.get(this.keys.owner(sessionId));
    return userId === null ? null : this.read(userId, sessionId);
  }

  async rotate(sessionId: string, expectedGeneration: number, update: RotationUpdate): Promise<boolean> {
    // The token's user names the slot; callers from before the contract carried it cost one owner lookup.
    const userId = (update as RotationUpdate & { userId?: string }).userId ?? (await this.redis.get(this.keys.owner(sessionId)));
    if (userId === null) return false;
    const rotated = await this.commands.dualTokenAuthRotateSession(
      this.keys.session(userId, sessionId),
      String(expectedGeneration),
      update.now.getTime(),
      update.idleExpiresAt.getTime(),
      this.retainExpiredMs,
    );
    return rotated === 1;
  }

  async revoke(sessionId: string, reason: SessionRevocationReason, now: Date): Promise<boolean> {
    const userId = await this.redis.get(this.keys.owner(sessionId));
    if (userId === null) return false;
    const revoked = await this.commands.dualTokenAuthRevokeSession(
      this.keys.session(userId, sessionId),
      this.keys.userSessions(userId),
      now.getTime(),
      reason,
      sessionId,
    );
    return revoked === 1;
  }

  async revokeAllForUser(userId: string, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    const revoked: string[] = [];
    for (;;) {
      const [taken, ids] = await this.commands.dualTokenAuthRevokeUserSessions(
        this.keys.userSessions(userId),
        now.getTime(),
        reason,
        this.keys.sessionPrefix(userId),
        this.batchSize,
      );
      revoked.push(...ids);
      if (taken < this.batchSize) return revoked;
    }
  }

  /** Revokes the user's live sessions beyond the `keep` most recently used, in one script; returns the ids revoked. */
  async revokeLeastRecentlyUsed(userId: string, keep: number, reason: SessionRevocationReason, now: Date): Promise<string[]> {
    return this.commands.dualTokenAuthRevokeLeastRecentlyUsed(
      this.keys.userSessions(userId),
      now.getTime(),
      reason,
      this.keys.sessionPrefix(userId),
      keep,
    );
  }

  async listActiveForUser(userId: string, now: Date): Promise<SessionRecord[]> {
    const sessionIds = await this.redis.zrange(this.keys.userSessions(userId), 0, -1, 'REV');
    const sessions = await Promise.all(sessionIds.map((sessionId) => this.read(userId, sessionId)));
    return sessions
      .filter((session): session is SessionRecord => session !== null && isLive(session, now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async deleteExpired(now: Date, limit: number): Promise<number> {
    let deleted = 0;
    // Candidates are sessions whose expiry *at creation* has passed; a rotated one is still live and is re-scored
    // with its current expiry instead, so it leaves the range and the loop ends.
    while (deleted < limit) {
      const members = await this.redis.zrangebyscore(this.keys.expiring(), '-inf', now.getTime(), 'LIMIT', 0, limit - deleted);
      if (members.length === 0) break;
      await this.inBatches(members, async (member) => {
        const [sessionId, userId] = JSON.parse(member) as [string, string];
        const liveUntil = await this.commands.dualTokenAuthDeleteIfExpired(
          this.keys.session(userId, sessionId),
          this.keys.userSessions(userId),
          now.getTime(),
          sessionId,
        );
        if (Number(liveUntil) > 0) {
          await this.redis.zadd(this.keys.expiring(), Number(liveUntil), member);
          return;
        }
        await this.redis.del(this.keys.owner(sessionId));
        // Counted once even when two instances purge at the same time.
        if ((await this.redis.zrem(this.keys.expiring(), member)) === 1) deleted += 1;
      });
    }
    return deleted;
  }

  private async read(userId: string, sessionId: string): Promise<SessionRecord | null> {
    return toRecord(sessionId, await this.redis.hgetall(this.keys.session(userId, sessionId)));
  }

  private async inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
    for (let start = 0; start < items.length; start += this.batchSize) {
      await Promise.all(items.slice(start, start + this.batchSize).map(work));
    }
  }
}

function ms(instant: Date): string {
  return String(instant.getTime());
}

function toRecord(id: string, hash: Record<string, string>): SessionRecord | null {
  if (hash.u === undefined) return null;
  const date = (value: string | undefined): Date | null => (value === undefined ? null : new Date(Number(value)));
  return {
    id,
    userId: hash.u,
    generation: Number(hash.g),
    rotatedAt: date(hash.rt),
    createdAt: new Date(Number(hash.c)),
    lastUsedAt: new Date(Number(hash.l)),
    idleExpiresAt: new Date(Number(hash.ie)),
    absoluteExpiresAt: new Date(Number(hash.ae)),
    revokedAt: date(hash.ra),
    // Written only by revoke(), which takes a SessionRevocationReason.
    revokedReason: (hash.rr as SessionRevocationReason | undefined) ?? null,
    userAgent: hash.ua ?? null,
    ip: hash.ip ?? null,
  };
}
