import { Injectable } from '@nestjs/common';
import { type AuthRequest, SOCKET_AUTH_REQUEST } from '../platform/execution-context-request.js';
import { VerifiedConnectionState } from '../platform/verified-connection-state.js';
import { ConnectionAuthenticator, type ConnectionEndReason, type LiveConnection } from '../transports/connection-authenticator.js';

/** Close codes of a graphql-ws socket the server ends: 4401 the access token expired, 4403 the session was revoked (or the token was refused at `connection_init`). */
export const GRAPHQL_WS_CLOSE_CODES: Record<ConnectionEndReason, number> = { expired: 4401, revoked: 4403 };

// Structural view of graphql-ws's server context with the `ws` transport, so this file needs neither package.
// `extra` is `unknown` there (it depends on the transport), so it is one here too and narrowed below.
interface GraphqlWsContext {
  connectionParams?: Readonly<Record<string, unknown>>;
  extra: unknown;
}
type WsExtra = { socket: { close(code?: number, reason?: string): void }; [key: symbol]: unknown };

/**
 * The graphql-ws server options this authenticator fills in (`subscriptions: { 'graphql-ws': ... }` of `GraphQLModule`).
 * `onPing` and `context` are graphql-ws options Nest's type does not list; Nest passes them through to graphql-ws.
 */
export interface GraphqlWsAuthOptions {
  onConnect(context: GraphqlWsContext): Promise<boolean>;
  onPing(context: GraphqlWsContext, payload?: Readonly<Record<string, unknown>>): Promise<void>;
  onClose(context: GraphqlWsContext): void;
  context(context: GraphqlWsContext): { req: AuthRequest };
}

const LIVE = Symbol('nestjs-dual-token-auth:graphql-ws-connection');

/**
 * Authentication for GraphQL subscriptions over graphql-ws:
 * ```ts
 * GraphQLModule.forRootAsync<ApolloDriverConfig>({
 *   driver: ApolloDriver,
 *   imports: [SubscriptionAuthModule], inject: [GraphqlWsAuthenticator],
 *   useFactory: (auth: GraphqlWsAuthenticator) => ({ autoSchemaFile: true, subscriptions: { 'graphql-ws': auth.options() } }),
 * })
 * ```
 * - the access token comes in `connection_init`'s payload, `{ "authorization": "Bearer <token>" }`; a missing or
 *   refused token closes the socket with 4403 (graphql-ws's "Forbidden");
 * - subscription resolvers get the user through `AccessTokenGuard` and `@CurrentUser()` (the context's `req`);
 * - when the token expires the server closes the socket with 4401 (which completes its subscriptions), when its
 *   session is revoked with 4403 — unless the client re-authenticated in time with a `ping` whose payload is
 *   `{ "authorization": "Bearer <fresh token>" }` (same user).
 */
@Injectable()
export class GraphqlWsAuthenticator {
  constructor(private readonly connections: ConnectionAuthenticator) {}

  /** The graphql-ws server hooks; spread your own settings around them if you have any. */
  options(): GraphqlWsAuthOptions {
    return {
      onConnect: async (context) => {
        const extra = context.extra as WsExtra;
        const socket = extra.socket;
        const live = await this.connections
          .open(authorizationOf(context.connectionParams), {
            close: (reason) => socket.close(GRAPHQL_WS_CLOSE_CODES[reason], reason === 'expired' ? 'Token expired' : 'Session revoked'),
          })
          .catch(() => null);
        if (!live) return false;
        extra[LIVE] = live;
        extra[SOCKET_AUTH_REQUEST] = stateOf(live);
        return true;
      },
      onPing: async (context, payload) => {
        const extra = context.extra as WsExtra;
        const live = extra[LIVE] as LiveConnection | undefined;
        const authorization = authorizationOf(payload);
        if (!live || authorization === undefined) return;
        if (await live.renew(authorization).catch(() => null)) extra[SOCKET_AUTH_REQUEST] = stateOf(live);
      },
      onClose: (context) => ((context.extra as WsExtra)[LIVE] as LiveConnection | undefined)?.release(),
      // A fresh object per operation, holding the socket's current state: a renewed token counts for the next guard run.
      context: (context) => ({ req: ((context.extra as WsExtra)[SOCKET_AUTH_REQUEST] as AuthRequest | undefined) ?? { headers: {} } }),
    };
  }
}

function stateOf(live: LiveConnection): AuthRequest {
  return new VerifiedConnectionState(live.authorization, live.user);
}

/** `authorization` (or `Authorization`) of a connection_init or ping payload. */
function authorizationOf(payload: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const value = payload?.authorization ?? payload?.Authorization;
  return typeof value === 'string' ? value : undefined;
}
