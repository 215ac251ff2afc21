/**
 * Raised by `SessionService` when a refresh token is well-formed and correctly signed but its session says no:
 * revoked, expired, reused outside the grace window, or its user is gone. Mapped to a generic 401.
 */
export class SessionRejectedError extends Error {
  constructor(
    /** `not-found`, `revoked`, `expired`, `reuse-detected`, `user-not-found`. */
    readonly reason: string,
  ) {
    super(`Session rejected: ${reason}`);
    this.name = 'SessionRejectedError';
  }
}
