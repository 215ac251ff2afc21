import { HttpException, IntrinsicException, Logger } from '@nestjs/common';
import type { ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { AuthStoreUnavailableException } from '../exceptions/auth-store-unavailable.exception.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import { TooManyAuthAttemptsException } from '../exceptions/too-many-auth-attempts.exception.js';

const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

const logger = new Logger('DualTokenAuth');

/**
 * What the REST routes' exception filter does, for GraphQL: a token or session verdict is the generic
 * `UNAUTHENTICATED` (the reason stays in events and logs), a throttled attempt is `TOO_MANY_REQUESTS` with
 * `retryAfterSeconds`, an infrastructure failure is `SERVICE_UNAVAILABLE` (retry, not "logged out"). graphql-js copies
 * `extensions` from the thrown error into the answer on both drivers.
 */
export function toGraphqlAuthError(error: unknown, config: ResolvedAuthConfig): Error {
  let http: HttpException;
  if (error instanceof HttpException) http = error;
  else if (error instanceof InvalidTokenError || error instanceof SessionRejectedError) {
    http = new HttpException(config.messages.tokenInvalid, 401);
  } else {
    logger.error(`User lookup or session store failed: ${(error as Error)?.message ?? String(error)}`);
    http = new AuthStoreUnavailableException();
  }
  const status = http.getStatus();
  const extensions: Record<string, unknown> = { code: CODES[status] ?? 'INTERNAL_SERVER_ERROR' };
  if (http instanceof TooManyAuthAttemptsException) extensions.retryAfterSeconds = http.retryAfterSeconds;
  const answer = http.getResponse();
  const message = typeof answer === 'object' && answer !== null && 'message' in answer ? String(answer.message) : http.message;
  return new GraphqlAuthError(message, extensions);
}

/**
 * An expected refusal, not a bug: an `IntrinsicException`, so Nest does not log it as an error. Not an
 * `HttpException` either, whose status Apollo's Nest driver would map to its own codes (a 429 would become
 * `INTERNAL_SERVER_ERROR`).
 */
export class GraphqlAuthError extends IntrinsicException {
  constructor(
    message: string,
    /** Copied by graphql-js into the answer's `errors[].extensions`; `code` is what clients switch on. */
    readonly extensions: Record<string, unknown>,
  ) {
    super(message);
  }
}
