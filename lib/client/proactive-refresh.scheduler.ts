import type { RefreshTrigger, TokenChangeSource } from './auth-session-events.interface.js';
import { MAX_TIMER_DELAY_MS } from './clock.js';
import { RefreshFailedError } from './errors.js';
import type { SessionConfig } from './session-config.interface.js';
import type { SessionState } from './session-state.js';
import type { TokenSet } from './token-storage.js';

/**
 * Shortest time between the starts of two proactive refreshes, in ms: whatever tokens and clocks say (a lifetime of
 * a few hundred ms, a misread expiry), the timer never turns into a refresh loop.
 */
export const MIN_PROACTIVE_INTERVAL_MS = 1_000;

/** Re-arms the proactive refresh for the session's new `tokens` (cancels it for null). */
export type ProactiveRefreshScheduler = (tokens: TokenSet | null, source: TokenChangeSource) => void;

/**
 * Refreshes before the access token expires: one timer for the current pair, re-armed on every change of it (the
 * returned function), and a bounded retry after a transient failure. Nothing is armed once `state.disposed` is set;
 * call the scheduler with null then to cancel the timer.
 */
export function createProactiveRefreshScheduler(
  { clock, proactive, leewayMs, cookieMode }: SessionConfig,
  state: SessionState,
  refresh: (trigger: RefreshTrigger) => Promise<unknown>,
): ProactiveRefreshScheduler {
  let timer: unknown;
  let armed = false;
  let lastRefreshAt = -Infinity;

  const cancel = (): void => {
    if (armed) clock.clearTimeout(timer);
    armed = false;
  };

  /** Arms the timer for `accessToken`: a timer armed for an older pair does nothing. */
  const arm = (dueAt: number, accessToken: string): void => {
    cancel();
    armed = true;
    timer = clock.setTimeout(
      () => {
        armed = false;
        if (state.disposed || state.tokens?.accessToken !== accessToken) return;
        // Delays beyond ~24.8 days are clamped; re-arm until actually due.
        if (clock.now() < dueAt) return arm(dueAt, accessToken);
        lastRefreshAt = clock.now();
        refresh('proactive').catch((error: unknown) => retry(error, accessToken));
      },
      Math.min(Math.max(0, dueAt - clock.now()), MAX_TIMER_DELAY_MS),
    );
  };

  /** After a transient failure, retry at half the remaining lifetime (bounded number of attempts, never a loop). */
  const retry = (error: unknown, accessToken: string): void => {
    const expiresAt = state.tokens?.accessToken === accessToken ? state.tokens.accessExpiresAt : undefined;
    if (!(error instanceof RefreshFailedError) || !error.retryable || state.disposed || expiresAt === undefined) return;
    const remaining = expiresAt - clock.now();
    if (remaining > 2000) arm(clock.now() + remaining / 2, accessToken); // else too late to matter: the next 401 refreshes
  };

  return (tokens, source) => {
    cancel();
    const expiresAt = tokens?.accessExpiresAt;
    if (!proactive || state.disposed || expiresAt === undefined || (!cookieMode && !tokens!.refreshToken)) return;
    const remaining = expiresAt - clock.now();
    // Tokens fresh from the server that already look expired mean a skewed clock and a JWT without expires_in:
    // refreshing would only produce another "expired" token, i.e. a loop. Rely on 401 handling instead.
    if (remaining <= 0 && source !== 'restored' && source !== 'set') return;
    const lead = Math.min(leewayMs, Math.max(0, remaining) * 0.25);
    arm(Math.max(expiresAt - lead, lastRefreshAt + MIN_PROACTIVE_INTERVAL_MS), tokens!.accessToken);
  };
}
