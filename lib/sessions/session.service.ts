import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { AuthEventPublisher } from '../events/auth-event-publisher.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import {
  SESSION_STORE,
  type SessionRecord,
  type SessionRevocationReason,
  type SessionStore,
} from '../interfaces/session-store.interface.js';
import type { AccessTokenClaims, AccessTokenPayload, RefreshTokenPayload } from '../interfaces/token-payloads.interface.js';
import type { TokenPairResponse } from '../interfaces/token-response.interface.js';
import { USER_LOOKUP, type UserLookup } from '../interfaces/user-lookup.interface.js';
import { DualTokenService } from '../tokens/dual-token.service.js';
import { ExpiredSessionPurger } from './expired-session-purger.js';
import { isLive } from './session-lifetime.js';
import { SessionRevocationCheck } from './session-revocation-check.js';
import { SessionTokenIssuer } from './session-token-issuer.js';

/** Where a login or refresh came from; shown in the session list. */
export interface ClientMetadata {
  userAgent?: string | null;
  ip?: string | null;
}

/** What {@link SessionService.revokeAllForUser} revokes and why. */
export interface RevokeAllSessionsOptions {
  /** Recorded as the sessions' revocation reason. @default 'logout-all' */
  reason?: SessionRevocationReason;
  /** Session ids to keep (e.g. the current session after a password change). @default none */
  except?: string | readonly string[];
}

/** A re-authentication losing this many rotation races in a row to concurrent refreshes gives up. */
const MAX_REAUTHENTICATION_ATTEMPTS = 5;

/** Longer User-Agent headers are cut to this many characters before they are stored. */
const MAX_USER_AGENT_LENGTH = 512;

/**
 * Sessions are refresh-token families. Login starts one at generation 0; each refresh rotates it to the next
 * generation with a compare-and-set in the store, so concurrent refreshes (even on several instances) cannot fork it.
 *
 * - The current generation's token rotates the family.
 * - The immediately previous generation's token, within `reuseGraceSeconds` of the rotation, gets the family's current
 *   tokens back (two tabs refreshing at once, or a lost response) without rotating or extending anything.
 * - Any other token of the family is a replay of a stolen token: the whole family is revoked (RFC 9700 §4.14.2), so
 *   the thief's and the victim's tokens both stop working and the victim has to log in again. Other sessions of the
 *   same user are untouched, because the theft is only proven for this family.
 */
@Injectable()
export class SessionService {
  private readonly logger = new Logger('DualTokenAuth');

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(USER_LOOKUP) private readonly users: UserLookup<unknown>,
    private readonly tokens: DualTokenService,
    private readonly issuer: SessionTokenIssuer,
    private readonly revocationCheck: SessionRevocationCheck,
    private readonly purger: ExpiredSessionPurger,
    private readonly events: AuthEventPublisher,
  ) {}

  /** Checks the credentials through the user lookup; returns a new session's token pair, or `null` when they are wrong. */
  async login(username: string, password: string, client: ClientMetadata = {}): Promise<TokenPairResponse | null> {
    const user = await this.users.validateCredentials(username, password);
    if (!user) {
      this.events.publish({ type: 'login.failed', username, ip: client.ip ?? null, userAgent: client.userAgent ?? null });
      return null;
    }
    const claims = this.users.toAccessTokenClaims(user);
    const { pair, session } = await this.openSession(claims, client);
    this.events.publish({
      type: 'login.succeeded',
      userId: session.userId,
      sessionId: session.id,
      ip: session.ip,
      userAgent: session.userAgent,
    });
    return pair;
  }

  /** Starts a session for an already authenticated user (e.g. after sign-up or a social login). */
  async startSession(claims: AccessTokenClaims, client: ClientMetadata = {}): Promise<TokenPairResponse> {
    return (await this.openSession(claims, client)).pair;
  }

  private async openSession(
    claims: AccessTokenClaims,
    client: ClientMetadata,
  ): Promise<{ pair: TokenPairResponse; session: SessionRecord }> {
    const now = new Date();
    const absoluteExpiresAt = this.issuer.absoluteExpiry(now);
    const session = await this.store.create({
      id: randomUUID(),
      userId: String(claims.userId),
      createdAt: now,
      lastUsedAt: now,
      idleExpiresAt: this.issuer.nextIdleExpiry(now, absoluteExpiresAt),
      absoluteExpiresAt,
      userAgent: client.userAgent ? client.userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
      ip: client.ip ?? null,
    });
    await this.enforceSessionLimit(session.userId, now);
    // The user proved who they are just now (password, sign-up or the app's own check): that is the session's auth_time.
    return { pair: this.issuer.issue(claims, session, now, Math.floor(now.getTime() / 1000)), session };
  }

  /**
   * Keeps the user at `maxSessionsPerUser` live sessions by revoking the least recently used ones (the new session is
   * the most recently used, so it always stays). Bounds what one account can make the store hold.
   */
  private async enforceSessionLimit(userId: string, now: Date): Promise<void> {
    const keep = this.config.maxSessionsPerUser;
    if (!Number.isFinite(keep)) return;
    const revoked = this.store.revokeLeastRecentlyUsed
      ? await this.store.revokeLeastRecentlyUsed(userId, keep, 'session-limit', now)
      : await this.revokeBeyondListed(userId, keep, now);
    for (const sessionId of revoked) this.recordRevocation(sessionId, userId, 'session-limit');
  }

  /** For stores without `revokeLeastRecentlyUsed`: works from the (possibly capped) list of live sessions. */
  private async revokeBeyondListed(userId: string, keep: number, now: Date): Promise<string[]> {
    const live = await this.store.listActiveForUser(userId, now);
    if (live.length <= keep) return [];
    const excess = live.sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime()).slice(keep);
    const revoked: string[] = [];
    for (const session of excess) {
      if (await this.store.revoke(session.id, 'session-limit', now)) revoked.push(session.id);
    }
    return revoked;
  }

  /**
   * Exchanges a refresh token for a new pair. Throws `InvalidTokenError` for a token that is not a valid refresh token
   * and {@link SessionRejectedError} when its session says no (revoked, expired, reused, user gone).
   */
  async refresh(refreshToken: string): Promise<TokenPairResponse> {
    let presented: RefreshTokenPayload;
    try {
      presented = this.tokens.verifyRefreshToken(refreshToken);
    } catch (error) {
      if (error instanceof InvalidTokenError) this.events.publish({ type: 'refresh.rejected', reason: error.reason });
      throw error;
    }
    try {
      const now = new Date();
      const user = await this.users.findById(presented.userId);
      const claims = user ? this.users.toAccessTokenClaims(user) : null;
      const rotated = claims ? await this.rotateWithoutRead(presented, claims, now) : null;
      return rotated ?? (await this.rotateOrRecover(presented, claims, now));
    } catch (error) {
      if (error instanceof SessionRejectedError) {
        this.events.publish({ type: 'refresh.rejected', reason: error.reason, sessionId: presented.sid });
      }
      throw error;
    }
  }

  /**
   * The common case in one statement: the token names the current generation of a live session, so the conditional
   * UPDATE of `rotate` succeeds, and everything the new tokens need is in the verified token (the `sxp` claim carries
   * the absolute expiry). Returns `null` when it did not rotate (old token without `sxp`, a replay, a race, a revoked
   * or expired session); {@link rotateOrRecover} then reads the family to find out which.
   */
  private async rotateWithoutRead(
    presented: RefreshTokenPayload,
    claims: AccessTokenClaims,
    now: Date,
  ): Promise<TokenPairResponse | null> {
    if (presented.sxp === undefined) return null;
    const absoluteExpiresAt = new Date(presented.sxp * 1000);
    const idleExpiresAt = this.issuer.nextIdleExpiry(now, absoluteExpiresAt);
    // Stores must refuse to rotate an expired session; a token that verified (unexpired `exp` = the idle expiry it was
    // issued with) of the current generation also proves the session was live, so stores written before that rule
    // was part of the contract stay safe.
    if (!(await this.store.rotate(presented.sid, presented.gen, { userId: presented.sub, now, idleExpiresAt }))) return null;
    const generation = presented.gen + 1;
    this.events.publish({ type: 'token.refreshed', userId: presented.sub, sessionId: presented.sid, generation, withinGrace: false });
    return this.issuer.issue(claims, { id: presented.sid, generation, idleExpiresAt, absoluteExpiresAt }, now, presented.auth_time);
  }

  /**
   * Reads the family and decides: rotate (tokens issued before the `sxp` claim), answer within the grace window,
   * or treat the token as a replay and revoke the family. `claims` is `null` when the user no longer exists.
   */
  private async rotateOrRecover(
    presented: RefreshTokenPayload,
    claims: AccessTokenClaims | null,
    now: Date,
  ): Promise<TokenPairResponse> {
    const { sid: sessionId, sub: subject, gen: generation } = presented;

    let session = await this.loadLiveSession(sessionId, subject, now);
    if (!claims) {
      await this.revoke(session.id, 'user-not-found', session.userId);
      throw new SessionRejectedError('user-not-found');
    }

    if (generation === session.generation) {
      const update = { userId: session.userId, now, idleExpiresAt: this.issuer.nextIdleExpiry(now, session.absoluteExpiresAt) };
      if (await this.store.rotate(session.id, generation, update)) {
        const rotated: SessionRecord = {
          ...session,
          generation: generation + 1,
          rotatedAt: now,
          lastUsedAt: now,
          idleExpiresAt: update.idleExpiresAt,
        };
        this.events.publish({ type: 'token.refreshed', userId: session.userId, sessionId, generation: rotated.generation, withinGrace: false });
        return this.issuer.issue(claims, rotated, now, presented.auth_time);
      }
      // Another request rotated (or revoked) the family between our read and our write: judge the token against
      // the family as it is now, which normally means the grace rule below.
      session = await this.loadLiveSession(sessionId, subject, now);
    }

    if (generation === session.generation - 1 && this.isWithinGrace(session, now)) {
      // Same family, same generation as the caller that won the rotation: interchangeable tokens, nothing extended.
      this.events.publish({ type: 'token.refreshed', userId: session.userId, sessionId, generation: session.generation, withinGrace: true });
      return this.issuer.issue(claims, session, now, presented.auth_time);
    }

    await this.revoke(session.id, 'reuse-detected', session.userId);
    this.events.publish({
      type: 'refresh.reuse-detected',
      userId: session.userId,
      sessionId,
      presentedGeneration: generation,
      currentGeneration: session.generation,
    });
    this.logger.warn(`Refresh token reuse detected; session ${session.id} of user ${session.userId} revoked`);
    throw new SessionRejectedError('reuse-detected');
  }

  /** Revokes one session (logout). Returns whether it was live. */
  async revoke(sessionId: string, reason: SessionRevocationReason = 'logout', userId?: string): Promise<boolean> {
    // Cache after the store agreed: a revocation that failed (store down) must not kill the session in this process
    // only. A lookup racing with this revoke cannot resurrect it (see SessionActivityCache.resolve).
    const revoked = await this.store.revoke(sessionId, reason, new Date());
    this.revocationCheck.markRevoked(sessionId);
    if (revoked) this.events.publish({ type: 'session.revoked', sessionId, userId, reason });
    return revoked;
  }

  /**
   * Revokes every session of the user (logout everywhere; after a password change with `{ except: [currentSessionId] }`);
   * returns how many were live. Also the way to make a role change take effect at once: the user logs in again and
   * gets tokens with the new claims (otherwise they arrive with the next refresh). The second argument may also be
   * just the reason, as before.
   */
  async revokeAllForUser(
    userId: string | number,
    options: SessionRevocationReason | RevokeAllSessionsOptions = 'logout-all',
  ): Promise<number> {
    const { reason = 'logout-all', except } = typeof options === 'string' ? { reason: options } : options;
    const user = String(userId);
    const kept = new Set(typeof except === 'string' ? [except] : (except ?? []));
    if (kept.size === 0) {
      const revoked = await this.store.revokeAllForUser(user, reason, new Date());
      for (const sessionId of revoked) this.recordRevocation(sessionId, user, reason);
      return revoked.length;
    }
    // The store's set-based revocation cannot spare a session, so this works from the list of live sessions; the list
    // may be capped, hence the loop until only the kept sessions are left.
    let count = 0;
    for (;;) {
      const now = new Date();
      const others = (await this.store.listActiveForUser(user, now)).filter((session) => !kept.has(session.id));
      if (others.length === 0) return count;
      let progressed = false;
      for (const session of others) {
        if (await this.store.revoke(session.id, reason, now)) {
          this.recordRevocation(session.id, user, reason);
          count += 1;
          progressed = true;
        }
      }
      // A store whose list still shows sessions it refuses to revoke would loop forever.
      if (!progressed) return count;
    }
  }

  /**
   * Step-up: checks the user's password again and renews `auth_time` for the session the access token belongs to. The
   * session is not replaced: it rotates to its next generation (like a refresh), and the new pair carries the new
   * `auth_time`. Returns `null` for a wrong password; throws {@link SessionRejectedError} when the session or the user
   * is gone.
   */
  async reauthenticate(accessToken: AccessTokenPayload, password: string): Promise<TokenPairResponse | null> {
    const user = await this.users.findById(accessToken.sub);
    if (!user) {
      await this.revoke(accessToken.sid, 'user-not-found', accessToken.sub);
      throw new SessionRejectedError('user-not-found');
    }
    const claims = this.users.toAccessTokenClaims(user);
    if (!(await this.passwordMatches(user, claims, accessToken.sub, password))) {
      this.events.publish({ type: 'login.failed', username: String(claims.username ?? accessToken.sub), ip: null, userAgent: null });
      return null;
    }
    for (let attempt = 1; ; attempt += 1) {
      const now = new Date();
      const session = await this.loadLiveSession(accessToken.sid, accessToken.sub, now);
      const idleExpiresAt = this.issuer.nextIdleExpiry(now, session.absoluteExpiresAt);
      if (await this.store.rotate(session.id, session.generation, { userId: session.userId, now, idleExpiresAt })) {
        const generation = session.generation + 1;
        this.events.publish({ type: 'token.refreshed', userId: session.userId, sessionId: session.id, generation, withinGrace: false });
        const rotated = { id: session.id, generation, idleExpiresAt, absoluteExpiresAt: session.absoluteExpiresAt };
        return this.issuer.issue(claims, rotated, now, Math.floor(now.getTime() / 1000));
      }
      // A refresh rotated the session between our read and our write: read it again and rotate from there.
      if (attempt >= MAX_REAUTHENTICATION_ATTEMPTS) throw new SessionRejectedError('revoked');
    }
  }

  private async passwordMatches(user: unknown, claims: AccessTokenClaims, subject: string, password: string): Promise<boolean> {
    if (this.users.verifyPassword) return (await this.users.verifyPassword(user, password)) === true;
    if (typeof claims.username !== 'string') return false;
    const checked = await this.users.validateCredentials(claims.username, password);
    return checked !== null && String(this.users.toAccessTokenClaims(checked).userId) === subject;
  }

  /** After the store revoked a session: this process stops accepting its access tokens, and listeners hear of it. */
  private recordRevocation(sessionId: string, userId: string, reason: SessionRevocationReason): void {
    this.revocationCheck.markRevoked(sessionId);
    this.events.publish({ type: 'session.revoked', sessionId, userId, reason });
  }

  /** Revokes a session only if it belongs to the user; `false` when it does not exist, is not theirs, or is already revoked. */
  async revokeOwnSession(userId: string | number, sessionId: string): Promise<boolean> {
    const session = await this.store.findById(sessionId);
    if (!session || session.userId !== String(userId) || session.revokedAt) return false;
    return this.revoke(sessionId, 'revoked-by-user', session.userId);
  }

  /** The user's live sessions, newest first. */
  listSessions(userId: string | number): Promise<SessionRecord[]> {
    return this.store.listActiveForUser(String(userId), new Date());
  }

  /**
   * Whether an access token's session is still active and, when `userId` (the token's `sub`) is given, belongs to that
   * user, as seen within the configured staleness bound (`revocationCheckCacheSeconds`). A plain boolean when the
   * answer is cached.
   */
  isSessionActive(sessionId: string, userId?: string | number): boolean | Promise<boolean> {
    return this.revocationCheck.isSessionActive(sessionId, userId === undefined ? undefined : String(userId));
  }

  /** Deletes expired sessions in batches; also runs in the background every ten minutes. Returns how many. */
  purgeExpiredSessions(): Promise<number> {
    return this.purger.purge();
  }

  private async loadLiveSession(sessionId: string, subject: string, now: Date): Promise<SessionRecord> {
    const session = await this.store.findById(sessionId);
    if (!session || session.userId !== subject) throw new SessionRejectedError('not-found');
    if (session.revokedAt) throw new SessionRejectedError('revoked');
    if (!isLive(session, now)) throw new SessionRejectedError('expired');
    return session;
  }

  private isWithinGrace(session: SessionRecord, now: Date): boolean {
    return (
      this.config.reuseGraceMs > 0 &&
      session.rotatedAt !== null &&
      now.getTime() - session.rotatedAt.getTime() <= this.config.reuseGraceMs
    );
  }
}
