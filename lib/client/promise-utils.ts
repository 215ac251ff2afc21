import type { Clock } from './clock.js';
import { abortReason } from './errors.js';

/** Rejection value of {@link withTimeout} when the time is up. */
export class TimedOut {}

/**
 * Settles like `promise`, or rejects with {@link TimedOut} after `ms` milliseconds (calling `onTimeout` first, e.g.
 * to abort the underlying request). Works even when the underlying operation ignores abort signals.
 */
export function withTimeout<T>(clock: Clock, promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => {
      onTimeout();
      reject(new TimedOut());
    }, ms);
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * Rejects with the signal's reason as soon as it aborts; otherwise settles like `promise`. The underlying promise
 * keeps running, which is the point: one caller giving up must not cancel a refresh other callers wait for.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Frees the connection of a response we won't read (undici keeps it busy until the body is consumed or GC'd). */
export function discardBody(response: Response): void {
  try {
    if (response.body && !response.bodyUsed) void response.body.cancel().catch(() => {});
  } catch {
    // locked or already consumed
  }
}
