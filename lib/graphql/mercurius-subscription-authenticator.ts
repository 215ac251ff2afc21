import { Injectable } from '@nestjs/common';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import type { AuthRequest } from '../platform/execution-context-request.js';
import { ConnectionAuthenticator, type LiveConnection } from '../transports/connection-authenticator.js';
import { GRAPHQL_WS_CLOSE_CODES } from './graphql-ws-authenticator.js';

// Structural views of what mercurius hands its subscription hooks (the `ws` socket of @fastify/websocket).
interface MercuriusSocket {
  close(code?: number, reason?: string): void;
  on(event: 'close', listener: () => void): unknown;
}
type SubscriptionContext = Record<string | symbol, unknown>;

/** The mercurius options this authenticator fills in: `subscription` and `hooks` of `GraphQLModule.forRoot`. */
export interface MercuriusSubscriptionAuthOptions {
  subscription: {
    context: (socket: MercuriusSocket, request: unknown) => SubscriptionContext;
    onConnect: (data: { payload?: Record<string, unknown> }) => Promise<SubscriptionContext | false>;
  };
  hooks: {
    // `object`: mercurius's context type has no index signature; the symbols are read through a cast.
    preSubscriptionExecution: (schema: unknown, document: unknown, context: object) => Promise<void>;
  };
}

const SOCKET = Symbol('nestjs-dual-token-auth:mercurius-socket');
const USER = Symbol('nestjs-dual-token-auth:mercurius-user');
const LIVE = Symbol('nestjs-dual-token-auth:mercurius-live');

/**
 * Authentication for GraphQL subscriptions on Mercurius (its own graphql-ws transport):
 * ```ts
 * GraphQLModule.forRootAsync<MercuriusDriverConfig>({
 *   driver: MercuriusDriver, imports: [SubscriptionAuthModule], inject: [MercuriusSubscriptionAuthenticator],
 *   useFactory: (auth: MercuriusSubscriptionAuthenticator) => ({ autoSchemaFile: true, ...auth.options() }),
 * })
 * ```
 * The token comes in `connection_init`'s payload `{ authorization: 'Bearer <token>' }`; a refused one is answered by
 * mercurius's connection error and the socket is closed. Resolvers get the user through `AccessTokenGuard` and
 * `@CurrentUser()`. From its first subscription on, the socket is closed with 4401 when the token expires and with 4403
 * at once when its session is revoked. (Mercurius has no hook for a client's ping, so there is no re-authentication
 * on a live socket here: reconnect with the fresh token.)
 */
@Injectable()
export class MercuriusSubscriptionAuthenticator {
  constructor(private readonly connections: ConnectionAuthenticator) {}

  options(): MercuriusSubscriptionAuthOptions {
    return {
      subscription: {
        // Called before onConnect with the socket mercurius does not pass to onConnect.
        context: (socket) => ({ [SOCKET]: socket }),
        onConnect: async ({ payload }) => {
          const value = payload?.authorization ?? payload?.Authorization;
          const authorization = typeof value === 'string' ? value : undefined;
          const user = await this.connections.verify(authorization).catch(() => null);
          if (!user) return false;
          const req: AuthRequest = { headers: { authorization }, user };
          return { req, [USER]: user };
        },
      },
      hooks: {
        // The first point where the socket and the verified user meet in one context: start watching the socket.
        preSubscriptionExecution: async (_schema, _document, mercuriusContext) => {
          const context = mercuriusContext as SubscriptionContext;
          const socket = context[SOCKET] as (MercuriusSocket & { [LIVE]?: LiveConnection }) | undefined;
          const user = context[USER] as AccessTokenPayload | undefined;
          const req = context.req as AuthRequest | undefined;
          if (!socket || !user || !req || socket[LIVE]) return;
          const live = this.connections.track(
            { close: (reason) => socket.close(GRAPHQL_WS_CLOSE_CODES[reason], reason === 'expired' ? 'Token expired' : 'Session revoked') },
            user,
            req.headers.authorization as string,
          );
          socket[LIVE] = live;
          socket.on('close', () => live.release());
        },
      },
    };
  }
}
