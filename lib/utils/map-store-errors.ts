import { HttpException, Logger } from '@nestjs/common';
import { AuthStoreUnavailableException } from '../exceptions/auth-store-unavailable.exception.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';

const logger = new Logger('DualTokenAuth');

/**
 * Runs a login/refresh/logout step and turns infrastructure failures (user lookup or session store throwing: database
 * down, pool exhausted, timeouts) into a 503, so clients retry instead of treating it as "logged out" (401) or a bug
 * (500). Token and session verdicts and HTTP exceptions pass through unchanged.
 */
export async function mapStoreErrors<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof HttpException || error instanceof InvalidTokenError || error instanceof SessionRejectedError) {
      throw error;
    }
    logger.error(`User lookup or session store failed: ${(error as Error)?.message ?? String(error)}`);
    throw new AuthStoreUnavailableException();
  }
}
