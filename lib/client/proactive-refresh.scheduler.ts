import type { RefreshTrigger, TokenChangeSource } from './auth-session-events.interface.js';
import { MAX_TIMER_DELAY_MS, type Clock } from './clock.js';
import { RefreshFailedError } from './errors.js';
import type { TokenSet } from './token-storage.js';

/** Settings of a {@link ProactiveRefreshScheduler}. */
export interface ProactiveRefreshSettings {
  readonly clock: Clock;
  /** False: never arm a timer (401 handling only). */
  readonly enabled: boolean;
  /** Refresh this long before expiry, capped at 25% of the remaining lifetime (ms). */
  readonly leewayMs: number;
  readonly cookieMode: boolean;
  /** The session's current pair: a timer armed for an older pair does nothing. */
  readonly currentTokens: () => TokenSet | null;
  /** Starts (or joins) the refresh. */
  readonly refresh: (trigger: RefreshTrigger) => Promise<unknown>;
}

/**
 * Shortest time between the starts of two proactive refreshes, in ms: whatever tokens and clocks say (a lifetime of
 * a few hundred ms, a misread expiry), the timer never turns into a refresh loop.
 */
export const MIN_PROACTIVE_INTERVAL_MS = 1_000;

/**
 * Refreshes before the access token expires: one timer for the current pair, re-armed on every change of it, and a
 * bounded retry after a transient failure.
 */
export class ProactiveRefreshScheduler {
  private timer: unknown = undefined;
  private armed = false;
  private disposed = false;
  private lastRefreshAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly settings: ProactiveRefreshSettings) {}

  /** Re-arms the timer for `tokens` (cancels it for null). */
  schedule(tokens: TokenSet | null, source: TokenChangeSource): void {
    this.cancel();
    const { enabled, clock, cookieMode, leewayMs } = this.settings;
    if (!enabled || this.disposed || !tokens || tokens.accessExpiresAt === undefined) return;
    if (!cookieMode && !tokens.refreshToken) return;
    const remaining = tokens.accessExpiresAt - clock.now();
    // Tokens fresh from the server that already look expired mean a skewed clock and a JWT without expires_in:
    // refreshing would only produce another "expired" token, i.e. a loop. Rely on 401 handling instead.
    if (remaining <= 0 && source !== 'restored' && source !== 'set') return;
    const lead = Math.min(leewayMs, Math.max(0, remaining) * 0.25);
    this.arm(Math.max(tokens.accessExpiresAt - lead, this.lastRefreshAt + MIN_PROACTIVE_INTERVAL_MS), tokens.accessToken);
  }

  cancel(): void {
    if (this.armed) this.settings.clock.clearTimeout(this.timer);
    this.armed = false;
    this.timer = undefined;
  }

  dispose(): void {
    this.disposed = true;
    this.cancel();
  }

  private arm(dueAt: number, accessToken: string): void {
    const { clock } = this.settings;
    this.cancel();
    const delay = Math.min(Math.max(0, dueAt - clock.now()), MAX_TIMER_DELAY_MS);
    this.armed = true;
    this.timer = clock.setTimeout(() => {
      this.armed = false;
      if (this.disposed || this.settings.currentTokens()?.accessToken !== accessToken) return;
      // Delays beyond ~24.8 days are clamped; re-arm until actually due.
      if (clock.now() < dueAt) return this.arm(dueAt, accessToken);
      this.lastRefreshAt = clock.now();
      this.settings.refresh('proactive').catch((error: unknown) => this.retry(error, accessToken));
    }, delay);
  }

  /** After a transient failure, retry at half the remaining lifetime (bounded number of attempts, never a loop). */
  private retry(error: unknown, accessToken: string): void {
    const { clock } = this.settings;
    const tokens = this.settings.currentTokens();
    if (!(error instanceof RefreshFailedError) || !error.retryable || this.disposed) return;
    if (!tokens || tokens.accessToken !== accessToken || tokens.accessExpiresAt === undefined) return;
    const remaining = tokens.accessExpiresAt - clock.now();
    if (remaining <= 2000) return; // too late to matter: the next 401 triggers a refresh
    this.arm(clock.now() + remaining / 2, accessToken);
  }
}
