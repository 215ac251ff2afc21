import type { AuthSession } from './auth-session.js';
import type { TokenChangeSource } from './auth-session-events.interface.js';

// Structural views of graphql-ws's and socket.io-client's objects: the client entry imports no package.

/** What a graphql-ws client hands to `on.opened`: the raw WebSocket. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
}

/** The parts of a socket.io-client `Socket` the helper uses. */
export interface SocketIoClientLike {
  auth: unknown;
  readonly connected: boolean;
  emit(event: string, ...args: unknown[]): unknown;
}

/** Token changes after which a live connection must be handed the new access token. */
const RENEWING_SOURCES: ReadonlySet<TokenChangeSource> = new Set(['refresh', 'other-tab', 'set', 'login']);

/** WebSocket `readyState` of an open socket. */
const OPEN = 1;

/** What {@link graphqlWsAuth} gives a graphql-ws `createClient`. */
export interface GraphqlWsAuth {
  /** For `createClient({ connectionParams })`: `{ authorization: 'Bearer <current token>' }` at every (re)connect. */
  connectionParams: () => Promise<Record<string, string>>;
  /** For `createClient({ on: { opened } })`: remembers the socket, to re-authenticate it after each refresh. */
  opened: (socket: unknown) => void;
  /** Stops following the session's token changes. */
  dispose: () => void;
}

/**
 * Keeps a graphql-ws connection authenticated with an {@link AuthSession}: the current access token goes into
 * `connection_init`, and after every refresh (also in another tab) a `ping` carrying the fresh token re-authenticates
 * the open socket, so the server does not close it (4401) when the old token expires.
 * ```ts
 * const auth = graphqlWsAuth(session);
 * const client = createClient({ url, connectionParams: auth.connectionParams, on: { opened: auth.opened } });
 * ```
 */
export function graphqlWsAuth(session: AuthSession): GraphqlWsAuth {
  let socket: WebSocketLike | undefined;
  const stop = session.on('tokensChanged', ({ tokens, source }) => {
    if (!tokens || !RENEWING_SOURCES.has(source) || socket?.readyState !== OPEN) return;
    socket.send(JSON.stringify({ type: 'ping', payload: { authorization: `Bearer ${tokens.accessToken}` } }));
  });
  return {
    connectionParams: async (): Promise<Record<string, string>> => {
      const token = await session.getAccessToken();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    opened: (opened) => {
      socket = opened as WebSocketLike;
    },
    dispose: () => {
      stop();
      socket = undefined;
    },
  };
}

/**
 * Keeps a socket.io-client socket authenticated with an {@link AuthSession}: the current access token goes into the
 * handshake's `auth` at every (re)connect, and after every refresh (also in another tab) a `reauthenticate` message
 * hands the live socket the fresh token. Create the socket with `autoConnect: false`, bind, then `connect()`:
 * ```ts
 * const socket = io(url, { autoConnect: false });
 * const unbind = bindSocketIoAuth(session, socket);
 * socket.connect();
 * ```
 * Returns the function that stops following the session.
 */
export function bindSocketIoAuth(session: AuthSession, socket: SocketIoClientLike): () => void {
  // socket.io-client calls a function-valued `auth` before each connection attempt, so reconnects use the newest token.
  socket.auth = (callback: (auth: Record<string, string>) => void) => {
    session.getAccessToken().then(
      (token) => callback(token ? { token } : {}),
      () => callback({}),
    );
  };
  return session.on('tokensChanged', ({ tokens, source }) => {
    if (tokens && RENEWING_SOURCES.has(source) && socket.connected) socket.emit('reauthenticate', { token: tokens.accessToken });
  });
}
