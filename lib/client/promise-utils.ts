import type { Clock } from './clock.js';
import { abortReason } from './errors.js';

/** Rejection value of {@link withTimeout} when the time is up. */
export class TimedOut {}

/**
 * Settles like `promise` unless `arm` rejects first. `arm` starts watching (a timer, an abort listener) and returns
 * what stops watching, which runs as soon as `promise` settles.
 */
function settleOrReject<T>(promise: Promise<T>, arm: (reject: (reason: unknown) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const disarm = arm(reject);
    promise.then(resolve, reject).finally(disarm);
  });
}

/**
 * Settles like `promise`, or rejects with {@link TimedOut} after `ms` milliseconds (calling `onTimeout` first, e.g.
 * to abort the underlying request). Works even when the underlying operation ignores abort signals.
 */
export function withTimeout<T>(clock: Clock, promise: Promise<T>, ms: number, onTimeout?: () => void): Promise<T> {
  return settleOrReject(promise, (reject) => {
    const timer = clock.setTimeout(() => {
      onTimeout?.();
      reject(new TimedOut());
    }, ms);
    return () => clock.clearTimeout(timer);
  });
}

/**
 * Rejects with the signal's reason as soon as it aborts; otherwise settles like `promise`. The underlying promise
 * keeps running, which is the point: one caller giving up must not cancel a refresh other callers wait for.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return settleOrReject(promise, (reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort);
    return () => signal.removeEventListener('abort', onAbort);
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
