import { type ArgumentsHost, Catch, HttpException, Inject, Logger, UnauthorizedException } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { AUTH_CONFIG, type ResolvedAuthConfig } from '../config/resolved-auth-config.js';
import { AuthStoreUnavailableException } from '../exceptions/auth-store-unavailable.exception.js';
import { InvalidTokenError } from '../exceptions/invalid-token.error.js';
import { SessionRejectedError } from '../exceptions/session-rejected.error.js';
import { TooManyAuthAttemptsException } from '../exceptions/too-many-auth-attempts.exception.js';
import { INVALID_TOKEN_CHALLENGE, setResponseHeader } from '../platform/request-adapter.js';

/**
 * Turns what the auth routes throw into answers:
 * - a token or session verdict is the generic 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750
 *   §3; the reason stays in events and logs, never in the answer);
 * - a 429 gets its `Retry-After` header;
 * - anything else that is not an HTTP exception is an infrastructure failure (user lookup or session store throwing:
 *   database down, pool exhausted, timeouts) and becomes a 503, so clients retry instead of treating it as "logged out"
 *   (401) or a bug (500).
 * Works on Express and Fastify: the answer itself is written by Nest's `BaseExceptionFilter`.
 */
@Catch()
export class AuthExceptionFilter extends BaseExceptionFilter {
  private readonly logger = new Logger('DualTokenAuth');

  constructor(@Inject(AUTH_CONFIG) private readonly config: ResolvedAuthConfig) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof TooManyAuthAttemptsException) {
      setResponseHeader(host.getArgByIndex(1), 'Retry-After', String(exception.retryAfterSeconds));
    }
    if (exception instanceof InvalidTokenError || exception instanceof SessionRejectedError) {
      setResponseHeader(host.getArgByIndex(1), 'WWW-Authenticate', INVALID_TOKEN_CHALLENGE);
    }
    super.catch(this.toHttpException(exception), host);
  }

  private toHttpException(exception: unknown): HttpException {
    if (exception instanceof HttpException) return exception;
    if (exception instanceof InvalidTokenError || exception instanceof SessionRejectedError) {
      return new UnauthorizedException(this.config.messages.tokenInvalid);
    }
    this.logger.error(`User lookup or session store failed: ${(exception as Error)?.message ?? String(exception)}`);
    return new AuthStoreUnavailableException();
  }
}
