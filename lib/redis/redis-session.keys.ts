/**
 * Where {@link RedisSessionStore} keeps what. Every command the store sends touches exactly one key, and every key is
 * hash-tagged (`{...}`), so the layout works unchanged on Redis Cluster: a session hash lives in the slot of its id
 * (`findById(sessionId)` finds it from the id alone), a user's index in the slot of the user id.
 */
export class RedisSessionKeys {
  constructor(private readonly prefix: string) {
    if (/[{}]/.test(prefix)) throw new Error(`RedisSessionStore keyPrefix must not contain '{' or '}' (got '${prefix}')`);
  }

  /** Hash with the session's counters and timestamps (never a token or a token hash). */
  session(sessionId: string): string {
    return `{${this.prefix}:s:${sessionId}}`;
  }

  /** Sorted set of the user's session ids, scored by creation time: logout-all, the session list, the per-user cap. */
  userSessions(userId: string): string {
    return `{${this.prefix}:u:${userId}}`;
  }

  /**
   * Sorted set of `[sessionId, userId]` members scored by the expiry known at creation. Redis expires the session
   * hashes by itself; this index only tells `deleteExpired` which user indexes still name a vanished session.
   */
  expiring(): string {
    return `{${this.prefix}}:expiring`;
  }
}
