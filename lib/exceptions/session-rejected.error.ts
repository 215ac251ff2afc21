/** Why a well-formed refresh token's session refused it. */
export type SessionRejectionReason = 'not-found' | 'revoked' | 'expired' | 'reuse-detected' | 'user-not-found';

/**
 * Raised by `SessionService` when a refresh token is well-formed and correctly signed but its session says no:
 * revoked, expired, reused outside the grace window, or its user is gone. Mapped to a generic 401.
 */
export class SessionRejectedError extends Error {
  constructor(
    /** Machine-readable reason. */
    readonly reason: SessionRejectionReason,
  ) {
    super(`Session rejected: ${reason}`);
    this.name = 'SessionRejectedError';
  }
}
