// nestjs-dual-token-auth/websockets: authentication for WebSocket gateways. Its own entry point, so that only apps with
// gateways load @nestjs/websockets. Provide SocketAuthenticator and ConnectionAuthenticator in the gateway's module.
export { ConnectionAuthenticator, type ConnectionEndReason, type LiveConnection } from '../transports/connection-authenticator.js';
export {
  REAUTHENTICATE_EVENT,
  SESSION_ENDED_EVENT,
  SOCKET_CLOSE_CODES,
  SocketAuthenticator,
  type ReauthenticateAnswer,
} from './socket-authenticator.js';
export { WsAuthExceptionFilter } from './ws-auth-exception.filter.js';
