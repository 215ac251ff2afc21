import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 for throttled logins and refreshes; the controller copies `retryAfterSeconds` into `Retry-After`. */
export class TooManyAuthAttemptsException extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(
      {
        statusCode: HttpStatus.TOO_MANY_REQUESTS,
        message: `Too many attempts, try again in ${retryAfterSeconds} seconds`,
        error: 'Too Many Requests',
      },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
