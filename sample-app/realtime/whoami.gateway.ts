import { UseFilters, UseGuards } from '@nestjs/common';
import { type OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { AccessTokenGuard, CurrentUser, type AccessTokenPayload } from 'nestjs-dual-token-auth';
import { SocketAuthenticator, WsAuthExceptionFilter } from 'nestjs-dual-token-auth/websockets';

/**
 * socket.io at its default path (`/socket.io`): connect with `io(url, { auth: { token: accessToken } })`, then
 * `socket.emitWithAck('whoami')` answers `{ id, username }`. Send `reauthenticate` with a fresh token after each refresh.
 */
@WebSocketGateway({ cors: true })
@UseFilters(WsAuthExceptionFilter)
export class WhoamiGateway implements OnGatewayInit {
  constructor(private readonly socketAuth: SocketAuthenticator) {}

  afterInit(server: unknown): void {
    this.socketAuth.protect(server);
  }

  @UseGuards(AccessTokenGuard)
  @SubscribeMessage('whoami')
  whoami(@CurrentUser() user: AccessTokenPayload): { id: string; username: string } {
    return { id: String(user.userId), username: String(user.username) };
  }
}
