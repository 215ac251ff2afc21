import { Inject, Injectable } from '@nestjs/common';
import { RateLimiterMemory, type RateLimiterRes } from 'rate-limiter-flexible';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { AuthEventPublisher } from '../events/auth-event-publisher.js';
import { TooManyAuthAttemptsException } from '../exceptions/too-many-auth-attempts.exception.js';

/**
 * Brute-force protection for login and refresh, on rate-limiter-flexible's in-memory counters (per process; behind a
 * load balancer each instance counts on its own, which multiplies the limits by the number of instances).
 *
 * Only *failed* logins are counted, keyed three ways:
 * - username + IP: stops one client guessing one account, and never locks the real user out from elsewhere;
 * - IP: stops one client spraying many accounts;
 * - username (all IPs): slows a distributed attack on one account (set it high: it can lock the account).
 * A successful login clears its username + IP counter. Refresh requests are counted per IP, all of them.
 */
@Injectable()
export class AuthRateLimiter {
  private readonly failuresByUsernameAndIp?: RateLimiterMemory;
  private readonly failuresByIp?: RateLimiterMemory;
  private readonly failuresByUsername?: RateLimiterMemory;
  private readonly refreshesByIp?: RateLimiterMemory;

  constructor(
    @Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig,
    private readonly events: AuthEventPublisher,
  ) {
    const limits = config.rateLimit;
    if (!limits) return;
    const duration = limits.failureWindowSeconds;
    this.failuresByUsernameAndIp = new RateLimiterMemory({ keyPrefix: 'login_user_ip', points: limits.maxFailuresPerUsernameAndIp, duration });
    this.failuresByIp = new RateLimiterMemory({ keyPrefix: 'login_ip', points: limits.maxFailuresPerIp, duration });
    this.failuresByUsername = new RateLimiterMemory({ keyPrefix: 'login_user', points: limits.maxFailuresPerUsername, duration });
    this.refreshesByIp = new RateLimiterMemory({ keyPrefix: 'refresh_ip', points: limits.maxRefreshesPerIpPerMinute, duration: 60 });
  }

  /** Throws {@link TooManyAuthAttemptsException} (and reports `login.throttled`) when this username or IP has used up its failed attempts. */
  async assertLoginAllowed(username: string, ip: string | null): Promise<void> {
    const limits = this.config.rateLimit;
    if (!limits) return;
    const user = normalise(username);
    const client = ip ?? 'unknown';
    const [byUsernameAndIp, byIp, byUsername] = await Promise.all([
      this.failuresByUsernameAndIp!.get(`${user}|${client}`),
      this.failuresByIp!.get(client),
      this.failuresByUsername!.get(user),
    ]);
    const exhausted = [
      [byUsernameAndIp, limits.maxFailuresPerUsernameAndIp],
      [byIp, limits.maxFailuresPerIp],
      [byUsername, limits.maxFailuresPerUsername],
    ] as const;
    const waitMs = Math.max(0, ...exhausted.filter(([res, max]) => res && res.consumedPoints >= max).map(([res]) => res!.msBeforeNext));
    if (waitMs > 0) {
      const retryAfterSeconds = Math.ceil(waitMs / 1000);
      this.events.publish({ type: 'login.throttled', username, ip, retryAfterSeconds });
      throw new TooManyAuthAttemptsException(retryAfterSeconds);
    }
  }

  /** Counts one failed login. */
  async recordLoginFailure(username: string, ip: string | null): Promise<void> {
    if (!this.config.rateLimit) return;
    const user = normalise(username);
    const client = ip ?? 'unknown';
    await Promise.all([
      this.failuresByUsernameAndIp!.penalty(`${user}|${client}`),
      this.failuresByIp!.penalty(client),
      this.failuresByUsername!.penalty(user),
    ]);
  }

  /** A successful login forgives this client's earlier mistakes on this account. */
  async recordLoginSuccess(username: string, ip: string | null): Promise<void> {
    if (!this.config.rateLimit) return;
    await this.failuresByUsernameAndIp!.delete(`${normalise(username)}|${ip ?? 'unknown'}`);
  }

  /** Counts one refresh request; throws {@link TooManyAuthAttemptsException} over the per-IP limit. */
  async assertRefreshAllowed(ip: string | null): Promise<void> {
    if (!this.refreshesByIp) return;
    try {
      await this.refreshesByIp.consume(ip ?? 'unknown');
    } catch (rejection) {
      const res = rejection as RateLimiterRes;
      if (typeof res?.msBeforeNext !== 'number') throw rejection;
      const retryAfterSeconds = Math.ceil(res.msBeforeNext / 1000);
      this.events.publish({ type: 'refresh.throttled', ip, retryAfterSeconds });
      throw new TooManyAuthAttemptsException(retryAfterSeconds);
    }
  }
}

function normalise(username: string): string {
  return username.trim().toLowerCase();
}
