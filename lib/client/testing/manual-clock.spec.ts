import { describe, expect, it } from '@jest/globals';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('fires due timers in time order, including timers scheduled by callbacks inside the window', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 200);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 50);
    }, 100);
    const cancelled = clock.setTimeout(() => fired.push('never'), 10);
    clock.clearTimeout(cancelled);

    clock.advance(199);
    expect(fired).toEqual(['a@1100', 'c@1150']);
    expect(clock.nextTimerAt()).toBe(1200);
    clock.advance(1);
    expect(fired).toEqual(['a@1100', 'c@1150', 'b@1200']);
    expect(clock.now()).toBe(1200);
    expect(clock.pendingTimers).toBe(0);
  });

  it('treats negative delays as immediate', () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimeout(() => (fired = true), -5);
    clock.advance(0);
    expect(fired).toBe(true);
  });
});
