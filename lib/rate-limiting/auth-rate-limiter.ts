import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RateLimiterRes } from 'rate-limiter-flexible';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { AuthEventPublisher } from '../events/auth-event-publisher.js';
import { TooManyAuthAttemptsException } from '../exceptions/too-many-auth-attempts.exception.js';
import { RATE_LIMIT_STORE, type RateLimitCounter, type RateLimitStore } from '../interfaces/rate-limit-store.interface.js';
import { ClientAddressResolver, type ClientRequestLike } from './client-address.resolver.js';
import { usernameLimitKey } from './username-limit-key.js';

/** One point taken from one limit for one key, so it can be given back. */
interface Reservation {
  counter: RateLimitCounter;
  key: string;
}

/**
 * Brute-force protection for login and refresh, on rate-limiter-flexible counters in the {@link RateLimitStore}
 * (in memory by default; a shared store makes the limits hold across instances).
 *
 * Failed logins are limited three ways:
 * - username + client: stops one client guessing one account, and never locks the real user out from elsewhere;
 * - client: stops one client spraying many accounts;
 * - username (all clients): slows a distributed attack on one account (set it high: it can lock the account).
 *
 * Every attempt *reserves* a point on all three before the password is checked: reading the counters first and
 * counting failures afterwards let every attempt that arrived while the first ones were being checked through (40
 * parallel guesses against a limit of 10 were all checked). A reservation is one atomic `consume` in the store, so N
 * parallel attempts, on one instance or on many sharing a store, never get more than the limit checked. A failure keeps
 * its points; a success gives them back (and clears that client's failures on that account); an attempt refused with
 * 429 or ended by an error gives back what it took, since no password was checked.
 * Refresh requests are counted per client, all of them.
 */
@Injectable()
export class AuthRateLimiter {
  private readonly logger = new Logger('DualTokenAuth');
  private readonly failuresByUsernameAndClient?: RateLimitCounter;
  private readonly failuresByClient?: RateLimitCounter;
  private readonly failuresByUsername?: RateLimitCounter;
  private readonly refreshesByClient?: RateLimitCounter;

  constructor(
    @Inject(AUTH_CONFIG) config: ResolvedAuthConfig,
    @Inject(RATE_LIMIT_STORE) store: RateLimitStore,
    private readonly clients: ClientAddressResolver,
    private readonly events: AuthEventPublisher,
  ) {
    const limits = config.rateLimit;
    if (!limits) return;
    const duration = limits.failureWindowSeconds;
    this.failuresByUsernameAndClient = store.createLimiter({ keyPrefix: 'login_user_ip', points: limits.maxFailuresPerUsernameAndIp, duration });
    this.failuresByClient = store.createLimiter({ keyPrefix: 'login_ip', points: limits.maxFailuresPerIp, duration });
    this.failuresByUsername = store.createLimiter({ keyPrefix: 'login_user', points: limits.maxFailuresPerUsername, duration });
    this.refreshesByClient = store.createLimiter({ keyPrefix: 'refresh_ip', points: limits.maxRefreshesPerIpPerMinute, duration: 60 });
  }

  /** The client's address (through trusted proxies), for the session list and events. */
  clientAddressOf(request: ClientRequestLike): string | null {
    return this.clients.addressOf(request);
  }

  /**
   * Runs one login attempt (`check`: the password check, resolving to `null` for wrong credentials) inside the limits.
   * Throws {@link TooManyAuthAttemptsException} (and reports `login.throttled`) without running `check` when this
   * username, client or pair has no attempts left.
   */
  async throttleLogin<T>(username: string, request: ClientRequestLike, check: () => Promise<T | null>): Promise<T | null> {
    if (!this.failuresByUsernameAndClient || !this.failuresByClient || !this.failuresByUsername) return check();
    const ip = this.clients.addressOf(request);
    const client = await this.clients.keyOf(request, ip);
    const user = usernameLimitKey(username);
    const byUsernameAndClient = { counter: this.failuresByUsernameAndClient, key: `${user}|${client}` };
    const reservations = [byUsernameAndClient, { counter: this.failuresByClient, key: client }, { counter: this.failuresByUsername, key: user }];

    const outcomes = await Promise.allSettled(reservations.map(({ counter, key }) => counter.consume(key)));
    const refusals = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    if (refusals.length > 0) {
      // A refused consume still counted its point; a store error may not have: give back exactly what was taken.
      await this.giveBack(reservations.filter((_, index) => isTaken(outcomes[index])));
      const storeError = refusals.find((reason) => !isLimitRefusal(reason));
      if (storeError !== undefined) throw storeError;
      const waitMs = Math.max(...refusals.map((reason) => (reason as RateLimiterRes).msBeforeNext));
      const retryAfterSeconds = Math.max(1, Math.ceil(waitMs / 1000));
      this.events.publish({ type: 'login.throttled', username, ip, retryAfterSeconds });
      throw new TooManyAuthAttemptsException(retryAfterSeconds);
    }

    let result: T | null;
    try {
      result = await check();
    } catch (error) {
      await this.giveBack(reservations);
      throw error;
    }
    if (result === null) return null;
    // A successful login forgives this client's earlier mistakes on this account, and was not a failure anywhere else.
    await this.settle(() => byUsernameAndClient.counter.delete(byUsernameAndClient.key));
    await this.giveBack(reservations.slice(1));
    return result;
  }

  /** Counts one refresh request; throws {@link TooManyAuthAttemptsException} over the per-client limit. */
  async assertRefreshAllowed(request: ClientRequestLike): Promise<void> {
    if (!this.refreshesByClient) return;
    const ip = this.clients.addressOf(request);
    try {
      await this.refreshesByClient.consume(await this.clients.keyOf(request, ip));
    } catch (rejection) {
      if (!isLimitRefusal(rejection)) throw rejection;
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      this.events.publish({ type: 'refresh.throttled', ip, retryAfterSeconds });
      throw new TooManyAuthAttemptsException(retryAfterSeconds);
    }
  }

  private async giveBack(reservations: Reservation[]): Promise<void> {
    await Promise.all(reservations.map(({ counter, key }) => this.settle(() => counter.reward(key))));
  }

  /**
   * Giving points back happens after the outcome is decided (tokens issued, 429 chosen); a store failing at that
   * moment costs the client one point, which is better than turning a successful login into an error.
   */
  private async settle(operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      this.logger.warn(`Rate-limit store failed while giving points back: ${(error as Error)?.message ?? String(error)}`);
    }
  }
}

/** A consume that resolved, or was refused by the limit (the point was counted), as opposed to a store error. */
function isTaken(outcome: PromiseSettledResult<unknown>): boolean {
  return outcome.status === 'fulfilled' || isLimitRefusal(outcome.reason);
}

/**
 * rate-limiter-flexible rejects with a `RateLimiterRes` when the points are used up and with an `Error` when its store
 * fails. Recognised by shape, not `instanceof`: a store built on the app's own copy of the package has its own class.
 */
function isLimitRefusal(reason: unknown): reason is RateLimiterRes {
  return typeof reason === 'object' && reason !== null && !(reason instanceof Error) && typeof (reason as RateLimiterRes).msBeforeNext === 'number';
}
