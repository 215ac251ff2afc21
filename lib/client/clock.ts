/**
 * Time source and timer functions used by the client.
 *
 * Everything time-related (proactive refresh, request timeouts, lock timeouts) goes through this interface so that
 * tests can drive time with a {@link ManualClock} instead of waiting for real timers.
 */
export interface Clock {
  /** Current time in milliseconds since the Unix epoch (like `Date.now()`). */
  now(): number;
  /** Schedules `callback` after `delayMs` milliseconds; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(callback: () => void, delayMs: number): unknown;
  /** Cancels a timer created by {@link Clock.setTimeout}; unknown or already-fired handles are ignored. */
  clearTimeout(handle: unknown): void;
}

/**
 * The real clock. Timers are `unref()`'d when the runtime supports it (Node.js), so a pending proactive refresh or
 * timeout never keeps a CLI or test process alive on its own.
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const handle = setTimeout(callback, delayMs);
    // Node returns a Timeout object with `unref()`; browsers return a number, which has no such method.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/**
 * Largest delay `setTimeout` accepts (2^31 - 1 ms, about 24.8 days); longer delays fire immediately in browsers and
 * Node, so callers clamp to this and re-check when the timer fires.
 */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;
