/**
 * Why a session was revoked: the user logged out (`logout`), logged out everywhere (`logout-all`), revoked it from the
 * session list (`revoked-by-user`); a replayed refresh token proved theft (`reuse-detected`); its user is gone
 * (`user-not-found`); a login went beyond `maxSessionsPerUser` (`session-limit`).
 */
export type SessionRevocationReason =
  | 'logout'
  | 'logout-all'
  | 'revoked-by-user'
  | 'reuse-detected'
  | 'user-not-found'
  | 'session-limit';

/**
 * One refresh-token family. The store holds only counters and timestamps: a refresh token is a signed JWT naming
 * `(sessionId, generation)`, so nothing stored here can be turned back into a valid token.
 */
export interface SessionRecord {
  /** Random id (UUID); the `sid` claim of every token in the family. */
  id: string;
  /** The owner's user id, as a string. */
  userId: string;
  /** Current rotation generation: only a refresh token with this `gen` rotates the family. */
  generation: number;
  /** When `generation` last advanced; the previous generation is accepted within the grace window after this. */
  rotatedAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date;
  /** Idle timeout: renewed by each rotation, never beyond `absoluteExpiresAt`. */
  idleExpiresAt: Date;
  /** Absolute lifetime fixed at login; rotation never extends it. */
  absoluteExpiresAt: Date;
  /** Set when the session was revoked (logout, reuse detected, user gone); a revoked session never comes back. */
  revokedAt: Date | null;
  /** Why it was revoked. */
  revokedReason: SessionRevocationReason | null;
  userAgent: string | null;
  ip: string | null;
}

/** Fields the library supplies when a session is created at login. */
export type NewSessionRecord = Omit<SessionRecord, 'generation' | 'rotatedAt' | 'revokedAt' | 'revokedReason'>;

/** The changes {@link SessionStore.rotate} makes. */
export interface RotationUpdate {
  /** The user the refresh token was issued to (its `sub`): a session of another user must not rotate. */
  userId: string;
  /** The instant of the rotation. */
  now: Date;
  /** The new idle expiry (already capped by the absolute expiry). */
  idleExpiresAt: Date;
}

/**
 * Where sessions live. Implementations must make {@link SessionStore.rotate} atomic (a compare-and-set on the
 * generation): it is what keeps two concurrent refreshes, possibly on two app instances, from forking a family.
 * Run `describeSessionStoreConformance` from `nestjs-dual-token-auth/testing` against your own store to check it.
 */
export interface SessionStore {
  /** Persists a new session with generation 0. */
  create(session: NewSessionRecord): Promise<SessionRecord>;
  /** Returns the session (revoked or not), or `null` when it does not exist. */
  findById(sessionId: string): Promise<SessionRecord | null>;
  /**
   * Atomically advances the generation from `expectedGeneration` to `expectedGeneration + 1`, sets `rotatedAt` and
   * `lastUsedAt` to `update.now` and `idleExpiresAt` to `update.idleExpiresAt` — only if the session exists, belongs
   * to `update.userId`, is not
   * revoked, has not expired at `update.now` (idle and absolute expiry both later than it) and its generation still
   * equals `expectedGeneration`. Returns whether this call made the change. (A boolean, not the row: the caller already
   * knows every other field, and a read-back would cost a query on every refresh.)
   *
   * A refresh calls this first, before reading the session: it is the whole database work of a normal refresh. When it
   * returns `false`, the library reads the session to tell a replay from a race, a revocation or an expiry.
   */
  rotate(sessionId: string, expectedGeneration: number, update: RotationUpdate): Promise<boolean>;
  /** Marks the session revoked unless it already is. Returns whether this call revoked it. */
  revoke(sessionId: string, reason: SessionRevocationReason, now: Date): Promise<boolean>;
  /**
   * Revokes every live session of the user; returns the ids revoked. Must be one set-based statement (or a few), not
   * a list of ids: a user may have tens of thousands of sessions.
   */
  revokeAllForUser(userId: string, reason: SessionRevocationReason, now: Date): Promise<string[]>;
  /**
   * Revokes the user's live sessions beyond the `keep` most recently used (by `lastUsedAt`, newest first); returns the
   * ids revoked. Runs after every login when `maxSessionsPerUser` is set, so it should use an index on the user.
   * Optional for stores written before it existed: the library then works from `listActiveForUser`, which may be
   * capped and so enforces the limit only up to that cap.
   */
  revokeLeastRecentlyUsed?(userId: string, keep: number, reason: SessionRevocationReason, now: Date): Promise<string[]>;
  /** Live (not revoked, not expired at `now`) sessions of the user, newest first. */
  listActiveForUser(userId: string, now: Date): Promise<SessionRecord[]>;
  /**
   * Deletes up to `limit` sessions whose idle or absolute expiry is at or before `now` (revoked ones included); returns
   * how many. Called periodically in the background, never on a request path, so it should use an index on the expiry.
   */
  deleteExpired(now: Date, limit: number): Promise<number>;
  /**
   * Optional startup check, called once when the app starts: throws when the store cannot work at all (for example
   * its table does not exist), with a message that says how to fix it, so the app refuses to start instead of
   * answering 503 to the first login. A store that is merely unreachable for now should not throw here.
   */
  checkReady?(): Promise<void>;
}

/** Injection token under which the configured {@link SessionStore} is available. */
export const SESSION_STORE = Symbol('DUAL_TOKEN_AUTH:SESSION_STORE');
