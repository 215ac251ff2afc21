/**
 * Raised by `DualTokenService` when a token fails verification (bad signature, wrong algorithm, wrong kind, expired,
 * malformed). `reason` is for logs and events only: clients always get the same generic 401 message.
 */
export class InvalidTokenError extends Error {
  constructor(
    /** Machine-readable reason, e.g. `expired`, `wrong-kind`, `bad-signature`, `malformed`. */
    readonly reason: string,
  ) {
    super(`Invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}
