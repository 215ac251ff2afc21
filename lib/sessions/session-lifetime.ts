import type { SessionRecord } from '../interfaces/session-store.interface.js';

/**
 * Session expiries are counted from the start of the current second, like the JWT `iat`/`exp` claims (whole seconds),
 * so a refresh token's `exp` equals its session's expiry exactly and `refresh_expires_in` is the configured lifetime.
 */
export function wholeSecond(instant: Date): number {
  return Math.floor(instant.getTime() / 1000) * 1000;
}

/** Not revoked, and neither the idle nor the absolute expiry has passed at `now`. */
export function isLive(session: SessionRecord, now: Date): boolean {
  return (
    session.revokedAt === null &&
    session.idleExpiresAt.getTime() > now.getTime() &&
    session.absoluteExpiresAt.getTime() > now.getTime()
  );
}
