/** Why a token failed verification. */
export type InvalidTokenReason =
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'wrong-algorithm'
  | 'wrong-kind'
  | 'bad-claims'
  | 'unknown-key-id'
  | 'too-long'
  | 'malformed';

/**
 * Raised by `DualTokenService` when a token fails verification (bad signature, wrong algorithm, wrong kind, expired,
 * malformed). `reason` is for logs and events only: clients always get the same generic 401 message.
 */
export class InvalidTokenError extends Error {
  constructor(
    /** Machine-readable reason. */
    readonly reason: InvalidTokenReason,
  ) {
    super(`Invalid token: ${reason}`);
    this.name = 'InvalidTokenError';
  }
}
