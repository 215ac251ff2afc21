import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { SessionRevocationCheck } from '../sessions/session-revocation-check.js';
import { extractBearerToken } from '../tokens/bearer-token.js';
import { DualTokenService } from '../tokens/dual-token.service.js';

/** Why a live connection is being closed: its access token ran out, or its session was revoked. */
export type ConnectionEndReason = 'expired' | 'revoked';

/** What a transport gives the authenticator for one connection: how to close it. */
export interface ClosableConnection {
  close(reason: ConnectionEndReason): void;
}

/** One authenticated live connection: its current user, renewable with a fresh token, released when it closes. */
export interface LiveConnection {
  /** The payload of the access token the connection currently runs on. */
  readonly user: AccessTokenPayload;
  /** The `Authorization` value of that token (`Bearer <token>`). */
  readonly authorization: string;
  /**
   * Hands the connection a fresh access token (after a refresh). It must be valid, of a live session and of the same
   * user; then the expiry timer follows the new token. Resolves to the new payload, or `null` (nothing changes).
   */
  renew(authorization: string | undefined): Promise<AccessTokenPayload | null>;
  /** Stops watching the connection (call it when the connection closes). */
  release(): void;
}

/**
 * Authentication for long-lived connections (WebSockets, GraphQL subscriptions), whatever carries them: checks the
 * token once when the connection opens, then closes the connection when that token expires without a renewal, or at
 * once when its session is revoked (logout, logout-all, reuse detection) — revocations of this process and, through
 * `SESSION_REVOCATION_BUS`, of the others. Between two messages nothing is checked, which is why expiry and revocation
 * must be pushed rather than discovered.
 */
@Injectable()
export class ConnectionAuthenticator implements OnModuleDestroy {
  private readonly bySession = new Map<string, Set<TrackedConnection>>();
  private readonly stopListening: () => void;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly tokens: DualTokenService,
    private readonly revocationCheck: SessionRevocationCheck,
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
  ) {
    this.stopListening = revocationCheck.onRevoked((sessionIds) => {
      for (const sessionId of sessionIds) {
        for (const connection of [...(this.bySession.get(sessionId) ?? [])]) connection.end('revoked');
      }
    });
  }

  /**
   * The payload of a valid access token of a live session, or `null`. Liveness is asked whatever
   * `rejectRevokedAccessTokens` says: a connection may stay open for the whole token lifetime, so a token of a session
   * that was already logged out must not open one.
   */
  async verify(authorization: string | undefined): Promise<AccessTokenPayload | null> {
    const token = extractBearerToken(authorization);
    if (token === undefined) return null;
    let payload: AccessTokenPayload;
    try {
      payload = this.tokens.verifyAccessToken(token);
    } catch {
      return null;
    }
    return (await this.revocationCheck.isSessionActive(payload.sid, payload.sub)) ? payload : null;
  }

  /** Verifies the token and, when it is good, starts watching the connection; `null` when the token is refused. */
  async open(authorization: string | undefined, connection: ClosableConnection): Promise<LiveConnection | null> {
    const user = await this.verify(authorization);
    return user ? this.track(connection, user, authorization as string) : null;
  }

  /** Starts watching a connection whose token {@link verify} has accepted (synchronously, before its first message). */
  track(connection: ClosableConnection, user: AccessTokenPayload, authorization: string): LiveConnection {
    const tracked = new TrackedConnection(this, connection, user, authorization);
    this.index(tracked);
    return tracked;
  }

  /** @internal */
  index(connection: TrackedConnection): void {
    let connections = this.bySession.get(connection.user.sid);
    if (!connections) this.bySession.set(connection.user.sid, (connections = new Set()));
    connections.add(connection);
    this.startSweeping();
  }

  /**
   * Without a revocation bus, another instance's logout reaches this process only through the session store. Asking
   * the revocation check about every watched session once per `revocationCheckCacheSeconds` (one store lookup per
   * session per period, the cache's own cost) closes such sockets within the same bound as the guard's answers.
   */
  private startSweeping(): void {
    if (this.sweepTimer) return;
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(this.config.revocationCheckCacheMs, 1000));
    this.sweepTimer.unref();
  }

  private async sweep(): Promise<void> {
    if (this.bySession.size === 0) {
      clearInterval(this.sweepTimer);
      this.sweepTimer = undefined;
      return;
    }
    for (const [sessionId, connections] of [...this.bySession]) {
      const [first] = connections;
      // A store outage is not a revocation: the socket stays, as the guard's 'open' policy would let its requests through.
      const active = await Promise.resolve(this.revocationCheck.isSessionActive(sessionId, first?.user.sub)).catch(() => true);
      if (!active) for (const connection of [...connections]) connection.end('revoked');
    }
  }

  /** @internal */
  unindex(connection: TrackedConnection): void {
    const connections = this.bySession.get(connection.user.sid);
    connections?.delete(connection);
    if (connections?.size === 0) this.bySession.delete(connection.user.sid);
  }

  /** @internal The moment (ms since the epoch) after which the token no longer verifies. */
  expiryOf(user: AccessTokenPayload): number {
    return user.exp * 1000 + this.config.clockToleranceMs;
  }

  onModuleDestroy(): void {
    this.stopListening();
    clearInterval(this.sweepTimer);
    for (const connections of this.bySession.values()) for (const connection of connections) connection.release();
  }
}

class TrackedConnection implements LiveConnection {
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(
    private readonly owner: ConnectionAuthenticator,
    private readonly connection: ClosableConnection,
    public user: AccessTokenPayload,
    public authorization: string,
  ) {
    this.schedule();
  }

  async renew(authorization: string | undefined): Promise<AccessTokenPayload | null> {
    if (this.released) return null;
    const user = await this.owner.verify(authorization);
    // Another user's token would silently change who the connection speaks for: refused.
    if (!user || user.sub !== this.user.sub || this.released) return null;
    this.owner.unindex(this);
    this.user = user;
    this.authorization = authorization as string;
    this.owner.index(this);
    this.schedule();
    return user;
  }

  end(reason: ConnectionEndReason): void {
    if (this.released) return;
    this.release();
    this.connection.close(reason);
  }

  release(): void {
    this.released = true;
    clearTimeout(this.timer);
    this.owner.unindex(this);
  }

  private schedule(): void {
    clearTimeout(this.timer);
    // setTimeout holds at most ~24.8 days; tokens live far shorter, but a longer wait simply fires early and re-arms.
    const delay = Math.min(Math.max(this.owner.expiryOf(this.user) - Date.now(), 0), 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      if (Date.now() >= this.owner.expiryOf(this.user)) this.end('expired');
      else this.schedule();
    }, delay);
    this.timer.unref();
  }
}
