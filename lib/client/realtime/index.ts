/**
 * Keeps graphql-ws and socket.io-client connections authenticated with a session of the lean client
 * (`nestjs-dual-token-auth/client/core`); neither package is imported.
 */
export {
  bindSocketIoAuth,
  graphqlWsAuth,
  type GraphqlWsAuth,
  type SocketIoClientLike,
  type WebSocketLike,
} from '../realtime-auth.js';
