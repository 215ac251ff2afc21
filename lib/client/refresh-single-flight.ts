import type { RefreshedEvent, RefreshTrigger } from './auth-session-events.interface.js';
import { RefreshRejected, type AuthEndpointsClient } from './auth-endpoints.client.js';
import { RefreshFailedError } from './errors.js';
import { TimedOut, withTimeout } from './promise-utils.js';
import { mayHaveRotated, nextRetryAt } from './refresh-retry.policy.js';
import type { SessionConfig } from './resolve-session-config.js';
import type { SessionState } from './session-state.js';
import type { TokenSet } from './token-storage.js';

/** Prompt retries after a lost answer, for one generation of the session. */
interface Recovery {
  readonly generation: number;
  /** No retry starts at or after this time (ms): the server's reuse grace would be over. */
  readonly windowEndsAt: number;
  attempts: number;
  timer: unknown;
}

/**
 * One refresh at a time: every caller (401 handlers, the proactive timer, `refresh()`) joins the refresh in flight.
 * With a cross-tab plugin the refresh runs under its lock and first lets it re-read the shared storage, so a pair
 * another tab already rotated is adopted instead of presenting a refresh token the server just replaced.
 *
 * When an answer is lost (network error, timeout) the server may have rotated the pair anyway. The waiting requests
 * fail at once, and the refresh is retried in the background, promptly and only within `refreshRetryWindowMs` of the
 * lost attempt, so the retry still falls inside the server's reuse grace and gets the rotated pair.
 */
export class RefreshSingleFlight {
  private inflight: Promise<TokenSet> | null = null;
  private trigger: RefreshTrigger = 'manual';
  private recovery: Recovery | null = null;

  constructor(
    private readonly config: SessionConfig,
    private readonly state: SessionState,
    private readonly endpoints: AuthEndpointsClient,
  ) {}

  /** Joins the refresh in flight or starts one. */
  run(trigger: RefreshTrigger): Promise<TokenSet> {
    if (!this.inflight) {
      this.trigger = trigger;
      const flight = this.runWithDeadline(this.state.tokens, this.state.generation).finally(() => {
        if (this.inflight === flight) this.inflight = null;
      });
      // Waiters may all have aborted; the flight's outcome must never become an unhandled rejection.
      flight.catch(() => {});
      this.inflight = flight;
    }
    return this.inflight;
  }

  /** Cancels a pending retry (the session is disposed). */
  dispose(): void {
    this.stopRecovery();
  }

  /** Whole refresh under a last-resort deadline, so even a hanging custom storage cannot leave waiters pending. */
  private async runWithDeadline(snapshot: TokenSet | null, generation: number): Promise<TokenSet> {
    const deadline = this.config.refreshTimeoutMs + (this.state.sync?.lockTimeoutMs ?? 0) + 1000;
    try {
      return await withTimeout(this.config.clock, this.refreshUnderLock(snapshot, generation), deadline, () => {});
    } catch (error) {
      if (!(error instanceof TimedOut)) throw error;
      const failure = new RefreshFailedError('timeout');
      this.state.events.emit('refreshFailed', { error: failure });
      throw failure;
    }
  }

  private refreshUnderLock(snapshot: TokenSet | null, generation: number): Promise<TokenSet> {
    const { state } = this;
    const { sync } = state;
    const work = async (): Promise<TokenSet> => {
      // Another tab may have refreshed while we waited for the lock: adopt its tokens instead of presenting a refresh
      // token that was just rotated away.
      const adopted = await sync?.reconcile(snapshot, generation, 'before');
      if (adopted) return adopted;
      if (generation !== state.generation) return state.currentOrEnded();

      if (!state.cookieMode && !snapshot?.refreshToken) throw state.end('no-refresh-token');

      let fresh: TokenSet;
      const attemptStartedAt = this.config.clock.now();
      try {
        fresh = await this.endpoints.refresh(snapshot);
      } catch (error) {
        if (generation !== state.generation) return state.currentOrEnded();
        if (error instanceof RefreshRejected) {
          // A parallel refresh elsewhere may have rotated the token between our read and our call.
          const rescued = await sync?.reconcile(snapshot, generation, 'rejected');
          if (rescued) return rescued;
          throw state.end('refresh-rejected', error.status);
        }
        const failure = error instanceof RefreshFailedError ? error : new RefreshFailedError('network', { cause: error });
        state.events.emit('refreshFailed', { error: failure });
        this.retryIfLost(failure, attemptStartedAt, generation);
        throw failure;
      }
      if (generation !== state.generation) return state.currentOrEnded();
      this.stopRecovery();
      if (sync) {
        // Still under the lock: the result may only be stored while the shared storage holds the pair it started
        // from. A login or logout in another tab (they do not wait for the lock) replaced it meanwhile, and the
        // other tab's choice wins over this refresh of the session it left.
        const superseded = await sync.reconcile(snapshot, generation, 'after');
        if (superseded) return superseded;
        if (generation !== state.generation) return state.currentOrEnded();
      }
      state.refreshes++;
      state.cookieSessionAbsent = false;
      state.apply(fresh, 'refresh', snapshot);
      const event: RefreshedEvent = { refreshCount: state.refreshes, trigger: this.trigger };
      if (fresh.accessExpiresAt !== undefined) event.accessExpiresAt = fresh.accessExpiresAt;
      if (fresh.refreshExpiresAt !== undefined) event.refreshExpiresAt = fresh.refreshExpiresAt;
      state.events.emit('refreshed', event);
      // Hold the cross-tab lock until the new pair is stored: the next tab to take it re-reads the storage and must
      // see the rotated refresh token, not the one the server just invalidated.
      await state.settled();
      return generation === state.generation ? fresh : state.currentOrEnded();
    };
    return sync?.lock ? sync.lock(work) : work();
  }

  /** Schedules the next prompt retry after a lost answer, if it can still start inside the window. */
  private retryIfLost(failure: RefreshFailedError, attemptStartedAt: number, generation: number): void {
    const { clock, refreshRetryWindowMs } = this.config;
    if (!mayHaveRotated(failure) || refreshRetryWindowMs === 0 || this.state.disposed) return this.stopRecovery();
    let recovery = this.recovery;
    if (!recovery || recovery.generation !== generation) {
      this.stopRecovery();
      // Counted from the start of the first lost attempt: the earliest moment the server may have rotated.
      recovery = { generation, windowEndsAt: attemptStartedAt + refreshRetryWindowMs, attempts: 0, timer: undefined };
      this.recovery = recovery;
    }
    clock.clearTimeout(recovery.timer);
    const at = nextRetryAt(recovery.attempts, clock.now(), recovery.windowEndsAt);
    if (at === null) return this.stopRecovery();
    recovery.attempts++;
    const current = recovery;
    current.timer = clock.setTimeout(() => {
      if (this.recovery !== current || this.state.disposed || this.state.generation !== current.generation) return;
      this.run('retry').catch(() => {
        // Reported through refreshFailed; a further retry, if any, was scheduled by the failure itself.
      });
    }, at - clock.now());
  }

  private stopRecovery(): void {
    if (this.recovery) this.config.clock.clearTimeout(this.recovery.timer);
    this.recovery = null;
  }
}
