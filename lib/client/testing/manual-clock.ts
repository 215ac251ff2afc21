import type { Clock } from '../clock.js';

interface ScheduledTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
}

/**
 * A {@link Clock} whose time only moves when you call {@link ManualClock.advance}. Meant for tests of code that uses
 * an {@link AuthSession}: proactive refresh and timeouts become deterministic and no test ever waits in real time.
 *
 * Timer callbacks run synchronously inside `advance()`; promise continuations they trigger run afterwards, so await a
 * macrotask (e.g. `await new Promise((r) => setImmediate(r))`) after advancing when the code under test is async.
 */
export class ManualClock implements Clock {
  private current: number;
  private nextId = 1;
  private timers: ScheduledTimer[] = [];

  /** @param startMs initial time in milliseconds since the epoch. @default 0 */
  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): number {
    const id = this.nextId++;
    // Same as real timers: negative or NaN delays mean "as soon as possible".
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    this.timers.push({ id, dueAt: this.current + delay, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Number of timers scheduled and not yet fired or cleared. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Time (ms since epoch) at which the earliest pending timer fires, or `undefined` when none is pending. */
  nextTimerAt(): number | undefined {
    return this.timers.reduce<number | undefined>((min, t) => (min === undefined || t.dueAt < min ? t.dueAt : min), undefined);
  }

  /**
   * Moves time forward by `ms` milliseconds, firing every timer that becomes due, in due order (ties in creation
   * order). Timers scheduled by a callback fire in the same call if they fall inside the window.
   */
  advance(ms: number): void {
    const target = this.current + Math.max(0, ms);
    for (;;) {
      const due = this.timers
        .filter((t) => t.dueAt <= target)
        .sort((a, b) => a.dueAt - b.dueAt || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t.id !== due.id);
      this.current = Math.max(this.current, due.dueAt);
      due.callback();
    }
    this.current = target;
  }
}
