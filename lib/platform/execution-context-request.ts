import type { ExecutionContext } from '@nestjs/common';
import { extractBearerToken } from '../tokens/bearer-token.js';

/** The request as the guard and `@CurrentUser()` see it: headers to read, and a `user` property to fill. */
export type AuthRequest = Record<string | symbol, unknown> & { headers: Record<string, string | string[] | undefined> };

/**
 * Where a WebSocket client keeps its request-like authentication state: `{ headers: { authorization }, user }` (a
 * `VerifiedConnectionState` once the connection authenticator verified its token). The handshake authenticator of
 * `nestjs-dual-token-auth/websockets` (and its `reauthenticate` message) writes it; the guard reads the token from it
 * and `@CurrentUser()` the user. `Symbol.for`, so two copies of the library agree.
 */
export const SOCKET_AUTH_REQUEST = Symbol.for('nestjs-dual-token-auth:socket-auth-request');

/**
 * The request-like object of any Nest transport, found by `context.getType()` without importing the transport's
 * packages (an HTTP-only app loads no GraphQL or WebSocket code):
 * - `http`: the Express or Fastify request;
 * - `graphql`: the resolver's context (argument 2, what `GqlExecutionContext.getContext()` returns) holds the HTTP
 *   request as `req` (Apollo and Mercurius drivers, also the subscription context of `nestjs-dual-token-auth/graphql`);
 * - `ws`: the socket's authentication state ({@link SOCKET_AUTH_REQUEST}); a socket.io socket that has none yet gets
 *   one built from its handshake (`auth.token` or the `Authorization` header).
 */
export function requestOf(context: ExecutionContext): AuthRequest {
  const type = context.getType<string>();
  // What `context.switchToHttp().getRequest()` returns, without the three closures Nest allocates per call for it.
  if (type === 'http') return context.getArgByIndex<AuthRequest>(0);
  if (type === 'graphql') return graphqlRequestOf(context.getArgByIndex<Record<string, unknown> | undefined>(2));
  if (type === 'ws') return socketRequestOf(context.getArgByIndex<Record<string | symbol, unknown>>(0));
  return context.getArgByIndex<AuthRequest>(0);
}

function graphqlRequestOf(graphqlContext: Record<string, unknown> | undefined): AuthRequest {
  const candidate = (graphqlContext?.req ?? graphqlContext?.request ?? (graphqlContext?.reply as { request?: unknown })?.request) as
    | AuthRequest
    | undefined;
  // A context without a request (a custom context factory that dropped it) has no token: a 401, not a TypeError.
  return candidate && typeof candidate.headers === 'object' ? candidate : { headers: {} };
}

function socketRequestOf(client: Record<string | symbol, unknown>): AuthRequest {
  const existing = client[SOCKET_AUTH_REQUEST] as AuthRequest | undefined;
  if (existing) return existing;
  const created: AuthRequest = { headers: { authorization: handshakeAuthorization(client) } };
  client[SOCKET_AUTH_REQUEST] = created;
  return created;
}

/** `Bearer <token>` from a socket.io handshake's `auth.token` (or its `Authorization` header); `undefined` otherwise. */
export function handshakeAuthorization(client: Record<string | symbol, unknown>): string | undefined {
  const handshake = client.handshake as { auth?: Record<string, unknown>; headers?: Record<string, unknown> } | undefined;
  const token = handshake?.auth?.token;
  if (typeof token === 'string' && token.length > 0) return /^bearer\s/i.test(token) ? token : `Bearer ${token}`;
  const header = handshake?.headers?.authorization;
  return typeof header === 'string' ? header : undefined;
}
