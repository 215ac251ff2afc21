import { Injectable } from '@nestjs/common';
import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { handshakeAuthorization, SOCKET_AUTH_REQUEST } from '../platform/execution-context-request.js';
import { VerifiedConnectionState } from '../platform/verified-connection-state.js';
import { ConnectionAuthenticator, type ConnectionEndReason, type LiveConnection } from '../transports/connection-authenticator.js';

/** Name of the message (socket.io event, or `ws` message `{ "event": "reauthenticate", "data": { "token" } }`) that hands a live socket a fresh access token. */
export const REAUTHENTICATE_EVENT = 'reauthenticate';

/** The socket.io event, or `ws` message, a socket gets just before the server disconnects it: `{ reason: 'expired' | 'revoked' }`. */
export const SESSION_ENDED_EVENT = 'session_ended';

/** Close codes of a `ws` socket the server ends: 4401 the access token expired, 4403 the session was revoked. */
export const SOCKET_CLOSE_CODES: Record<ConnectionEndReason, number> = { expired: 4401, revoked: 4403 };

/** The answer to `reauthenticate`: accepted with the new token's expiry (seconds since the epoch), or refused. */
export type ReauthenticateAnswer = { ok: true; expiresAt: number } | { ok: false; message: string };

// Structural types of the two servers, so this file loads without socket.io or ws being installed.
type Next = (error?: Error) => void;
interface SocketIoSocket {
  handshake: { auth?: Record<string, unknown>; headers?: Record<string, unknown> };
  on(event: string, listener: (...args: any[]) => void): unknown;
  emit(event: string, ...args: unknown[]): unknown;
  disconnect(close?: boolean): unknown;
}
interface SocketIoServerLike {
  use(middleware: (socket: SocketIoSocket, next: Next) => void): unknown;
}
interface WsSocket {
  on(event: string, listener: (...args: any[]) => void): unknown;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
interface WsServerLike {
  options: { verifyClient?: unknown };
  on(event: 'connection', listener: (socket: WsSocket, request: { headers: Record<string, unknown> }) => void): unknown;
}

const VERIFIED_USER = Symbol('nestjs-dual-token-auth:verified-upgrade-user');

/**
 * Authentication for WebSocket gateways (`@nestjs/websockets`, socket.io and `ws` adapters). Call
 * {@link protect} with the gateway's server in `afterInit`:
 * - the handshake needs an access token — socket.io: `io(url, { auth: { token } })` or an `Authorization: Bearer`
 *   header; `ws`: the `Authorization` header of the upgrade request. A refused socket.io handshake is a
 *   `connect_error` with message `Unauthorized`; a refused `ws` upgrade is an HTTP 401;
 * - `AccessTokenGuard` and `@CurrentUser()` then work on `@SubscribeMessage` handlers;
 * - a `reauthenticate` message hands the socket a fresh access token of the same user (after a refresh);
 * - the socket is disconnected when its token expires without re-authentication, and at once when its session is
 *   revoked (after a {@link SESSION_ENDED_EVENT} message; `ws` close codes {@link SOCKET_CLOSE_CODES}).
 */
@Injectable()
export class SocketAuthenticator {
  constructor(private readonly connections: ConnectionAuthenticator) {}

  /** Puts authentication in front of a socket.io server (or namespace) or a `ws` server. */
  protect(server: unknown): void {
    const candidate = server as Partial<SocketIoServerLike & WsServerLike>;
    if (candidate.options && typeof (server as { handleUpgrade?: unknown }).handleUpgrade === 'function') {
      this.protectWs(server as WsServerLike);
    } else if (typeof candidate.use === 'function') {
      this.protectSocketIo(server as SocketIoServerLike);
    } else {
      throw new TypeError('SocketAuthenticator.protect() expects a socket.io Server/Namespace or a ws WebSocketServer');
    }
  }

  private protectSocketIo(server: SocketIoServerLike): void {
    server.use((socket, next) => {
      const authorization = handshakeAuthorization(socket as unknown as Record<string, unknown>);
      this.connections.open(authorization, { close: (reason) => endSocketIo(socket, reason) }).then(
        (live) => {
          if (!live) return next(new Error('Unauthorized'));
          this.attach(socket, live);
          socket.on('disconnect', () => live.release());
          socket.on(REAUTHENTICATE_EVENT, (payload: unknown, ack?: (answer: ReauthenticateAnswer) => void) => {
            void this.reauthenticate(socket, live, payload).then((answer) => (typeof ack === 'function' ? ack(answer) : undefined));
          });
          next();
        },
        // The session store failed (revocationCheckFailure: 'closed'): the client may retry, it is not "logged out".
        () => next(new Error('Service Unavailable')),
      );
    });
  }

  private protectWs(server: WsServerLike): void {
    server.options.verifyClient = (
      info: { req: { headers: Record<string, unknown> } & Record<symbol, unknown> },
      done: (result: boolean, code?: number, message?: string) => void,
    ) => {
      const header = info.req.headers.authorization;
      this.connections.verify(typeof header === 'string' ? header : undefined).then(
        (user) => {
          if (!user) return done(false, 401, 'Unauthorized');
          info.req[VERIFIED_USER] = user;
          done(true);
        },
        () => done(false, 503, 'Service Unavailable'),
      );
    };
    server.on('connection', (socket, request) => {
      const user = (request as unknown as Record<symbol, AccessTokenPayload | undefined>)[VERIFIED_USER];
      if (!user) return socket.close(SOCKET_CLOSE_CODES.revoked, 'Unauthorized');
      // Synchronous, so the state exists before the first message reaches a handler.
      const live = this.connections.track({ close: (reason) => endWs(socket, reason) }, user, request.headers.authorization as string);
      this.attach(socket, live);
      socket.on('close', () => live.release());
      socket.on('message', (data: unknown) => {
        const message = parseMessage(data);
        if (message?.event !== REAUTHENTICATE_EVENT) return;
        void this.reauthenticate(socket, live, message.data).then((answer) =>
          socket.send(JSON.stringify({ event: 'reauthenticated', data: answer })),
        );
      });
    });
  }

  /** The request-like state the guard and `@CurrentUser()` read ({@link SOCKET_AUTH_REQUEST}). */
  private attach(socket: object, live: LiveConnection): void {
    (socket as Record<symbol, unknown>)[SOCKET_AUTH_REQUEST] = new VerifiedConnectionState(live.authorization, live.user);
  }

  private async reauthenticate(socket: object, live: LiveConnection, payload: unknown): Promise<ReauthenticateAnswer> {
    const token = typeof payload === 'string' ? payload : (payload as { token?: unknown } | null)?.token;
    const authorization = typeof token === 'string' ? (/^bearer\s/i.test(token) ? token : `Bearer ${token}`) : undefined;
    const user = await live.renew(authorization).catch(() => null);
    if (!user) return { ok: false, message: 'Unauthorized' };
    this.attach(socket, live);
    return { ok: true, expiresAt: user.exp };
  }
}

function endSocketIo(socket: SocketIoSocket, reason: ConnectionEndReason): void {
  socket.emit(SESSION_ENDED_EVENT, { reason });
  socket.disconnect(true);
}

function endWs(socket: WsSocket, reason: ConnectionEndReason): void {
  socket.send(JSON.stringify({ event: SESSION_ENDED_EVENT, data: { reason } }));
  socket.close(SOCKET_CLOSE_CODES[reason], reason === 'expired' ? 'Token expired' : 'Session revoked');
}

function parseMessage(data: unknown): { event?: unknown; data?: unknown } | null {
  try {
    return JSON.parse(String(data)) as { event?: unknown; data?: unknown };
  } catch {
    return null;
  }
}
