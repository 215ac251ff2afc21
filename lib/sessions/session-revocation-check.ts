import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { AuthStoreUnavailableException } from '../exceptions/auth-store-unavailable.exception.js';
import { SESSION_REVOCATION_BUS, type SessionRevocationBus } from '../interfaces/session-revocation-bus.interface.js';
import { SESSION_STORE, type SessionStore } from '../interfaces/session-store.interface.js';
import { SessionActivityCache } from './session-activity-cache.js';
import { isLive } from './session-lifetime.js';

/**
 * Answers "is this access token's session still active, and is it the token subject's?" for the guard (option
 * `rejectRevokedAccessTokens`), from a per-process cache that costs one store lookup per session per
 * `revocationCheckCacheSeconds`. Revocations made by this process are recorded at once ({@link markRevoked}).
 */
@Injectable()
export class SessionRevocationCheck implements OnModuleInit {
  private readonly logger = new Logger('DualTokenAuth');
  private readonly activityCache: SessionActivityCache;
  private readonly revocationListeners = new Set<(sessionIds: readonly string[]) => void>();

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Optional() @Inject(SESSION_REVOCATION_BUS) private readonly bus?: SessionRevocationBus,
  ) {
    // After this long no access token of a revoked session can verify any more, so "revoked" need not be kept longer.
    const revokedRetentionMs = config.accessToken.expiresInMs + config.clockToleranceMs + 1000;
    this.activityCache = new SessionActivityCache(
      config.revocationCheckCacheMs,
      revokedRetentionMs,
      (sessionId) => this.lookUpOwner(sessionId),
      config.revocationCheckCacheMaxSessions,
    );
  }

  /**
   * Whether the session is live and belongs to `userId` (the token's `sub`; omitted, only liveness counts). A plain
   * boolean when the answer is cached, so the guard's hot path allocates no promise. While the store is unreachable the answer follows
   * `revocationCheckFailure`: `'open'` trusts the token (the last known answer wins), `'closed'` throws
   * {@link AuthStoreUnavailableException} (503).
   */
  isSessionActive(sessionId: string, userId?: string): boolean | Promise<boolean> {
    const cached = this.activityCache.peek(sessionId, userId, Date.now());
    if (cached !== undefined) return cached;
    return this.activityCache.resolve(sessionId, userId, this.onLookupFailure);
  }

  /** What a failed store lookup answers, by `revocationCheckFailure`; `lastKnown` is the cached answer, if any. */
  private readonly onLookupFailure = (error: unknown, lastKnown: boolean | undefined): boolean => {
    const reason = (error as Error)?.message ?? String(error);
    if (this.config.revocationCheckFailure === 'closed') {
      this.logger.warn(`Session check failed, refusing the access token (revocationCheckFailure: 'closed'): ${reason}`);
      throw new AuthStoreUnavailableException();
    }
    this.logger.warn(`Session check failed, trusting the access token: ${reason}`);
    return lastKnown ?? true;
  };

  /** The owner of the session when it is live, from the store; `null` when it is revoked, expired or unknown. */
  private async lookUpOwner(sessionId: string): Promise<string | null> {
    const session = await this.store.findById(sessionId);
    return session !== null && isLive(session, new Date()) ? session.userId : null;
  }

  /** Records a revocation the store has accepted, so it takes effect in this process immediately. */
  markRevoked(sessionId: string): void {
    this.activityCache.markRevoked(sessionId);
    this.bus?.publish([sessionId]);
    this.notify([sessionId]);
  }

  /**
   * Calls `listener` with every revocation this process learns of (its own at once, other instances' through the bus),
   * so long-lived connections (WebSockets, GraphQL subscriptions) can be closed instead of waiting for a next request.
   * Returns the function that removes the listener.
   */
  onRevoked(listener: (sessionIds: readonly string[]) => void): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  private notify(sessionIds: readonly string[]): void {
    for (const listener of this.revocationListeners) {
      try {
        listener(sessionIds);
      } catch (error) {
        this.logger.warn(`A revocation listener failed: ${(error as Error)?.message ?? String(error)}`);
      }
    }
  }

  /** Revocations made on other instances take effect here as soon as the bus delivers them (polling stays the bound). */
  onModuleInit(): void {
    this.bus?.subscribe((sessionIds) => {
      for (const sessionId of sessionIds) this.activityCache.markRevoked(sessionId);
      this.notify(sessionIds);
    });
  }
}
