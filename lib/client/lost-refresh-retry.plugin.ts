import type { RefreshTrigger } from './auth-session-events.interface.js';
import type { Clock } from './clock.js';
import type { RefreshFailedError } from './errors.js';
import { checkedNumber } from './checked-number.js';
import type { SessionState } from './session-state.js';
import type { TokenSet } from './token-storage.js';

/** First delay of a retry after a lost answer, in ms; doubles per attempt. */
const FIRST_RETRY_DELAY_MS = 250;
/** Longest delay between two retries, in ms. */
const MAX_RETRY_DELAY_MS = 2_000;

/** Options of {@link retryLostRefresh}. */
export interface LostRefreshRetryOptions {
  /**
   * How long after a refresh attempt started, in milliseconds, the session keeps retrying it when the answer was lost
   * (network error or timeout). Keep it below the server's `reuseGraceSeconds` (default 10 s) minus network time, and
   * above `refreshTimeoutMs`. 0 disables the retries.
   * @default 8000
   */
  windowMs?: number;
}

/** What a {@link RefreshRetryPlugin} is installed into. */
export interface RefreshRetryHost {
  readonly clock: Clock;
  readonly state: SessionState;
  /** Starts a refresh (or joins the one in flight). */
  run(trigger: RefreshTrigger): Promise<TokenSet>;
}

/** Told about each refresh attempt's outcome by the session. */
export interface RefreshRetry {
  /** The attempt that started at `startedAt` (ms) for session `generation` failed with `error`. */
  failed(error: RefreshFailedError, startedAt: number, generation: number): void;
  /** An attempt succeeded: nothing to retry. */
  succeeded(): void;
  /** Cancels a pending retry (the session is disposed). */
  dispose(): void;
}

/** What the `refreshRetry` option takes: see {@link retryLostRefresh}. */
export type RefreshRetryPlugin = (host: RefreshRetryHost) => RefreshRetry;

/**
 * Retries a refresh whose answer was lost. The server may have rotated the pair without the client learning the new
 * one; it hands the current pair to the previous refresh token only within its `reuseGraceSeconds` of the rotation
 * (default 10 s) and treats a later use as token theft, revoking the session in every tab. So retries start promptly
 * (after 250 ms, doubling up to 2 s) and none starts later than `windowMs` after the first lost attempt began. The
 * waiting requests still fail at once with the `RefreshFailedError`; the retries run in the background and announce
 * their result like any refresh (`refreshed` with trigger `retry`). Answers that did arrive (5xx, bad status) are not
 * retried here.
 * ```ts
 * createAuthSession({ baseUrl, refreshRetry: retryLostRefresh() });   // nestjs-dual-token-auth/client/core
 * ```
 * `nestjs-dual-token-auth/client` wires it in by default (its `refreshRetryWindowMs` option is `windowMs`).
 */
export function retryLostRefresh(options: LostRefreshRetryOptions = {}): RefreshRetryPlugin {
  const windowMs = checkedNumber(options.windowMs, 8_000, 'refreshRetryWindowMs', true);
  return ({ clock, state, run }) => {
    /** Prompt retries after a lost answer, for one generation of the session. */
    let recovery: { generation: number; windowEndsAt: number; attempts: number; timer: unknown } | null = null;
    const stop = (): void => {
      if (recovery) clock.clearTimeout(recovery.timer);
      recovery = null;
    };
    return {
      failed(error, startedAt, generation) {
        if (!mayHaveRotated(error) || windowMs === 0 || state.disposed) return stop();
        if (!recovery || recovery.generation !== generation) {
          stop();
          // Counted from the start of the first lost attempt: the earliest moment the server may have rotated.
          recovery = { generation, windowEndsAt: startedAt + windowMs, attempts: 0, timer: undefined };
        }
        const current = recovery;
        clock.clearTimeout(current.timer);
        const at = nextRetryAt(current.attempts, clock.now(), current.windowEndsAt);
        if (at === null) return stop();
        current.attempts++;
        current.timer = clock.setTimeout(() => {
          if (recovery !== current || state.disposed || state.generation !== current.generation) return;
          run('retry').catch(() => {
            // Reported through refreshFailed; a further retry, if any, was scheduled by the failure itself.
          });
        }, at - clock.now());
      },
      succeeded: stop,
      dispose: stop,
    };
  };
}

/**
 * True when the failed refresh may have rotated the pair at the server without the client learning the new one: the
 * request may have arrived and only the answer was lost. Answers that arrived (5xx, bad status, bad body) are not.
 */
function mayHaveRotated(error: RefreshFailedError): boolean {
  return error.kind === 'network' || error.kind === 'timeout';
}

/**
 * When to retry after `attempt` retries (0 for the first), or null when the retry would start after `windowEndsAt`:
 * the server only hands the rotated pair to the previous refresh token within its reuse grace, and a retry after it
 * would look like token theft and revoke the session.
 */
function nextRetryAt(attempt: number, now: number, windowEndsAt: number): number | null {
  const at = now + Math.min(FIRST_RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
  return at < windowEndsAt ? at : null;
}
