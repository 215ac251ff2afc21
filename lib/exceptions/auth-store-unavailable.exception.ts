import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * 503 when the user lookup or the session store fails (database down, pool exhausted). Clients should retry later;
 * their tokens are still good, which is why this must not look like a 401.
 */
export class AuthStoreUnavailableException extends HttpException {
  constructor() {
    super(
      {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        message: 'Authentication is temporarily unavailable (the user or session store cannot be reached); try again shortly',
        error: 'Service Unavailable',
      },
      HttpStatus.SERVICE_UNAVAILABLE,
    );
  }
}
