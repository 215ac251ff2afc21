import type { ExecutionContext } from '@nestjs/common';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { extractBearerToken } from '../tokens/bearer-token.js';
import { PayloadSnapshot } from '../tokens/payload-snapshot.js';

/** The request as the guard and `@CurrentUser()` see it: headers to read, and a `user` property to fill. */
export type AuthRequest = Record<string | symbol, unknown> & { headers: Record<string, string | string[] | undefined> };

/**
 * Where a WebSocket client keeps its request-like authentication state: `{ headers: { authorization }, user }`. The
 * handshake authenticator of `nestjs-dual-token-auth/websockets` (and its `reauthenticate` message) writes it; the
 * guard reads the token from it and `@CurrentUser()` the user. `Symbol.for`, so two copies of the library agree.
 */
export const SOCKET_AUTH_REQUEST = Symbol.for('nestjs-dual-token-auth:socket-auth-request');

/**
 * On a connection's authentication state: the access token the connection authenticator verified (at the handshake,
 * or by `reauthenticate`) and its payload. The guard trusts it for messages on the connection
 * instead of verifying the same token again on every message: the token is the connection's own, fixed until the next
 * `reauthenticate`, and the connection is closed when it expires or its session is revoked. The guard still checks the
 * expiry itself (a message may arrive before the close) and, with `rejectRevokedAccessTokens`, the session.
 */
export const CONNECTION_VERIFIED_TOKEN = Symbol.for('nestjs-dual-token-auth:connection-verified-token');

/** What {@link CONNECTION_VERIFIED_TOKEN} holds. */
export interface ConnectionVerifiedToken {
  readonly token: string | undefined;
  /** The verified payload as taken at verification: what a handler does to `request.user` cannot change it. */
  readonly payload: PayloadSnapshot;
  /** Epoch ms at which the token expires (its `exp`). */
  readonly expiresAtMs: number;
}

/**
 * The authentication state of a connection whose token the connection authenticator has just verified: what the guard
 * and `@CurrentUser()` read ({@link SOCKET_AUTH_REQUEST}), marked as verified ({@link CONNECTION_VERIFIED_TOKEN}).
 */
export function verifiedConnectionState(authorization: string, payload: AccessTokenPayload): AuthRequest {
  const verified: ConnectionVerifiedToken = {
    token: extractBearerToken(authorization),
    payload: new PayloadSnapshot(payload as unknown as Record<string, unknown>),
    expiresAtMs: payload.exp * 1000,
  };
  return { headers: { authorization }, user: payload, [CONNECTION_VERIFIED_TOKEN]: verified };
}

/**
 * A copy of the payload a connection authenticator verified for `token` (the token the guard read from this
 * request-like state), while it is unexpired; `undefined` otherwise (no such mark, another token, or expired: then the
 * guard verifies in full). The copy is the caller's, nested claims included, as `verifyAccessToken` answers: one
 * message's changes to `request.user` stay out of the next one's.
 */
export function connectionVerifiedPayload(request: AuthRequest, token: string, now: number): AccessTokenPayload | undefined {
  const verified = request[CONNECTION_VERIFIED_TOKEN] as ConnectionVerifiedToken | undefined;
  if (verified === undefined || verified.token !== token || now >= verified.expiresAtMs) return undefined;
  return verified.payload.copy() as unknown as AccessTokenPayload;
}

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
