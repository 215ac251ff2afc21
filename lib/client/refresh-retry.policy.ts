import type { RefreshFailedError } from './errors.js';

/** First delay of a retry after a lost answer, in ms; doubles per attempt. */
const FIRST_RETRY_DELAY_MS = 250;
/** Longest delay between two retries, in ms. */
const MAX_RETRY_DELAY_MS = 2_000;

/**
 * True when the failed refresh may have rotated the pair at the server without the client learning the new one: the
 * request may have arrived and only the answer was lost. Answers that arrived (5xx, bad status, bad body) are not.
 */
export function mayHaveRotated(error: RefreshFailedError): boolean {
  return error.kind === 'network' || error.kind === 'timeout';
}

/**
 * When to retry after `attempt` retries (0 for the first), or null when the retry would start after `windowEndsAt`:
 * the server only hands the rotated pair to the previous refresh token within its reuse grace, and a retry after it
 * would look like token theft and revoke the session.
 */
export function nextRetryAt(attempt: number, now: number, windowEndsAt: number): number | null {
  const delay = Math.min(FIRST_RETRY_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
  const at = now + delay;
  return at < windowEndsAt ? at : null;
}
