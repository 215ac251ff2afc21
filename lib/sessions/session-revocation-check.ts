import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { SESSION_REVOCATION_BUS, type SessionRevocationBus } from '../interfaces/session-revocation-bus.interface.js';
import { SESSION_STORE, type SessionStore } from '../interfaces/session-store.interface.js';
import { SessionActivityCache } from './session-activity-cache.js';
import { isLive } from './session-lifetime.js';

/**
 * Answers "is this access token's session still active?" for the guard (option `rejectRevokedAccessTokens`), from a
 * per-process cache that costs one store lookup per session per `revocationCheckCacheSeconds`. Revocations made by this
 * process are recorded at once ({@link SessionRevocationCheck.markRevoked}).
 */
@Injectable()
export class SessionRevocationCheck implements OnModuleInit {
  private readonly logger = new Logger('DualTokenAuth');
  private readonly activityCache: SessionActivityCache;

  constructor(
    @Inject(AUTH_CONFIG) config: ResolvedAuthConfig,
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Optional() @Inject(SESSION_REVOCATION_BUS) private readonly bus?: SessionRevocationBus,
  ) {
    this.activityCache = new SessionActivityCache(config.revocationCheckCacheMs);
  }

  /** Returns a plain boolean when the answer is cached, so the guard's hot path allocates no promise. */
  isSessionActive(sessionId: string): boolean | Promise<boolean> {
    const cached = this.activityCache.peek(sessionId, Date.now());
    if (cached !== undefined) return cached;
    return this.activityCache.resolve(
      sessionId,
      async () => {
        const session = await this.store.findById(sessionId);
        return session !== null && isLive(session, new Date());
      },
      (error, lastKnown) => {
        // Store unreachable: routes that only need a valid access token keep working. A signed, unexpired token is
        // trusted (the last known answer wins when there is one) until the store answers again.
        this.logger.warn(`Session check failed, trusting the access token: ${(error as Error)?.message ?? String(error)}`);
        return lastKnown ?? true;
      },
    );
  }

  /** Records a revocation the store has accepted, so it takes effect in this process immediately. */
  markRevoked(sessionId: string): void {
    this.activityCache.markRevoked(sessionId);
    this.bus?.publish([sessionId]);
  }

  /** Revocations made on other instances take effect here as soon as the bus delivers them (polling stays the bound). */
  onModuleInit(): void {
    this.bus?.subscribe((sessionIds) => {
      for (const sessionId of sessionIds) this.activityCache.markRevoked(sessionId);
    });
  }
}
