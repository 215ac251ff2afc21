import { type ArgumentsHost, Catch, HttpException } from '@nestjs/common';
import { BaseWsExceptionFilter, WsException } from '@nestjs/websockets';

/**
 * Nest's WebSocket exception handler answers every error that is not a `WsException` with "Internal server error".
 * This filter keeps what `AccessTokenGuard` (and other HTTP exceptions) mean: the client gets an `exception` message
 * `{ status: 'error', statusCode: 401, message: 'Unauthorized' }`. Use it on the gateway: `@UseFilters(WsAuthExceptionFilter)`.
 */
@Catch()
export class WsAuthExceptionFilter extends BaseWsExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const answer = exception.getResponse();
      const message = typeof answer === 'object' && answer !== null && 'message' in answer ? answer.message : exception.message;
      return super.catch(new WsException({ status: 'error', statusCode, message }), host);
    }
    return super.catch(exception, host);
  }
}
