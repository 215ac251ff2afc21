import type { RefreshedEvent, RefreshTrigger } from './auth-session-events.interface.js';
import { RefreshRejected, refreshCall } from './auth-endpoints.client.js';
import { RefreshFailedError } from './errors.js';
import type { RefreshRetry, RefreshRetryPlugin } from './lost-refresh-retry.plugin.js';
import { TimedOut, withTimeout } from './promise-utils.js';
import type { SessionConfig } from './session-config.interface.js';
import type { SessionState } from './session-state.js';
import type { TokenSet } from './token-storage.js';

/** The session's refresh: {@link run} starts one or joins the one in flight. */
export interface RefreshSingleFlight {
  run(trigger: RefreshTrigger): Promise<TokenSet>;
  /** The retry plugin, if one was given (the session disposes it). */
  readonly retry: RefreshRetry | undefined;
}

/**
 * One refresh at a time: every caller (401 handlers, the proactive timer, `refresh()`) joins the refresh in flight.
 * With a cross-tab plugin the refresh runs under its lock and first lets it re-read the shared storage, so a pair
 * another tab already rotated is adopted instead of presenting a refresh token the server just replaced.
 *
 * When an answer is lost (network error, timeout) the server may have rotated the pair anyway: the waiting requests
 * fail at once, and the `refreshRetry` plugin, when given, retries in the background (see `retryLostRefresh`).
 *
 * A function with local state rather than a class: locals are renamed by a consumer's minifier, members are not.
 */
export function createRefreshSingleFlight(
  config: SessionConfig,
  state: SessionState,
  retryPlugin: RefreshRetryPlugin | undefined,
): RefreshSingleFlight {
  const { clock } = config;
  let inflight: Promise<TokenSet> | null = null;
  let currentTrigger: RefreshTrigger = 'manual';

  const fail = (failure: RefreshFailedError): RefreshFailedError => {
    state.events.emit('refreshFailed', { error: failure });
    return failure;
  };

  /** The whole refresh under a last-resort deadline, so even a hanging custom storage cannot leave waiters pending. */
  const refreshWithDeadline = async (snapshot: TokenSet | null, generation: number): Promise<TokenSet> => {
    const deadline = config.refreshTimeoutMs + (state.sync?.lockTimeoutMs ?? 0) + 1000;
    try {
      return await withTimeout(clock, refreshUnderLock(snapshot, generation), deadline);
    } catch (error) {
      throw error instanceof TimedOut ? fail(new RefreshFailedError('timeout')) : error;
    }
  };

  const refreshUnderLock = (snapshot: TokenSet | null, generation: number): Promise<TokenSet> => {
    const { sync } = state;
    const stale = (): boolean => generation !== state.generation;
    const work = async (): Promise<TokenSet> => {
      // Another tab may have refreshed while we waited for the lock: adopt its tokens instead of presenting a refresh
      // token that was just rotated away.
      const adopted = await sync?.reconcile(snapshot, generation, 'before');
      if (adopted) return adopted;
      if (stale()) return state.currentOrEnded();

      if (!state.cookieMode && !snapshot?.refreshToken) throw state.end('no-refresh-token');

      let fresh: TokenSet;
      const attemptStartedAt = clock.now();
      try {
        fresh = await refreshCall(config, snapshot);
      } catch (error) {
        if (stale()) return state.currentOrEnded();
        if (error instanceof RefreshRejected) {
          // A parallel refresh elsewhere may have rotated the token between our read and our call.
          const rescued = await sync?.reconcile(snapshot, generation, 'rejected');
          if (rescued) return rescued;
          throw state.end('refresh-rejected', error.status);
        }
        const failure = fail(error instanceof RefreshFailedError ? error : new RefreshFailedError('network', { cause: error }));
        retry?.failed(failure, attemptStartedAt, generation);
        throw failure;
      }
      if (stale()) return state.currentOrEnded();
      retry?.succeeded();
      if (sync) {
        // Still under the lock: the result may only be stored while the shared storage holds the pair it started
        // from. A login or logout in another tab (they do not wait for the lock) replaced it meanwhile, and the
        // other tab's choice wins over this refresh of the session it left.
        const superseded = await sync.reconcile(snapshot, generation, 'after');
        if (superseded) return superseded;
        if (stale()) return state.currentOrEnded();
      }
      state.refreshes++;
      state.setCurrent(fresh, 'refresh', false);
      sync?.publish({ type: 'tokens', tokens: fresh, from: snapshot });
      // The pair carries only the expiry times it knows: the event gets exactly those.
      const { accessToken, refreshToken, ...expiry } = fresh;
      const event: RefreshedEvent = { refreshCount: state.refreshes, trigger: currentTrigger, ...expiry };
      state.events.emit('refreshed', event);
      // Hold the cross-tab lock until the new pair is stored: the next tab to take it re-reads the storage and must
      // see the rotated refresh token, not the one the server just invalidated.
      await state.settled();
      return stale() ? state.currentOrEnded() : fresh;
    };
    return sync?.lock ? sync.lock(work) : work();
  };

  const run = (trigger: RefreshTrigger): Promise<TokenSet> => {
    if (!inflight) {
      currentTrigger = trigger;
      const flight = refreshWithDeadline(state.tokens, state.generation).finally(() => {
        if (inflight === flight) inflight = null;
      });
      // Waiters may all have aborted; the flight's outcome must never become an unhandled rejection.
      flight.catch(() => {});
      inflight = flight;
    }
    return inflight;
  };

  const retry = retryPlugin?.({ clock, state, run });
  return { run, retry };
}
