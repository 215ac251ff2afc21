/**
 * Where {@link RedisSessionStore} keeps what. Keys are hash-tagged (`{...}`) so the layout works unchanged on Redis
 * Cluster, where every key one command or script touches must live in one slot:
 *
 * - a user's session hashes and their index share the user's tag, so logout-all, the per-user cap and a revocation
 *   are single atomic scripts in one slot, and a rotation (which knows the token's user) finds its hash directly;
 * - a small pointer under the session id's own tag names the owner, for lookups that know only the session id
 *   (`findById`, `revoke`);
 * - the expiry index has its own tag and is only ever touched by single-key commands.
 */
export class RedisSessionKeys {
  constructor(private readonly prefix: string) {
    if (/[{}]/.test(prefix)) throw new Error(`RedisSessionStore keyPrefix must not contain '{' or '}' (got '${prefix}')`);
  }

  /** Hash with the session's counters and timestamps (never a token or a token hash). */
  session(userId: string, sessionId: string): string {
    return `${this.sessionPrefix(userId)}${sessionId}`;
  }

  /** What precedes the session id in {@link RedisSessionKeys.session}; scripts build a user's session keys from it. */
  sessionPrefix(userId: string): string {
    return `${this.userTag(userId)}:s:`;
  }

  /** Sorted set of the user's unrevoked session ids, scored by creation time. */
  userSessions(userId: string): string {
    return `${this.userTag(userId)}:sessions`;
  }

  /** String holding the owner's user id, so a session can be found from its id alone. */
  owner(sessionId: string): string {
    return `{${this.prefix}:sid:${sessionId}}`;
  }

  /**
   * Sorted set of `[sessionId, userId]` members scored by the expiry known at creation. Redis expires the session
   * hashes by itself; this index tells `deleteExpired` which user indexes and owner pointers still name them.
   */
  expiring(): string {
    return `{${this.prefix}}:expiring`;
  }

  private userTag(userId: string): string {
    return `{${this.prefix}:u:${userId}}`;
  }
}
