import type { AccessTokenPayload } from '../interfaces/token-payloads.interface.js';
import { extractBearerToken } from '../tokens/bearer-token.js';
import { PayloadSnapshot } from '../tokens/payload-snapshot.js';

/**
 * The request-like authentication state of a connection whose access token the connection authenticator verified (at
 * the handshake, or by `reauthenticate`): a socket.io or `ws` socket's (see `SOCKET_AUTH_REQUEST`), or a graphql-ws
 * connection's subscription context `req`. `AccessTokenGuard` reads the token from its `headers` and `@CurrentUser()`
 * its `user`, as on an HTTP request.
 *
 * It also remembers the token it was built for and the verified payload, so the guard trusts them for messages on the
 * connection instead of verifying the same token again on every message: the token is the connection's own, fixed until
 * the next `reauthenticate` (which builds a new state), and the connection is closed when it expires or its session is
 * revoked. The guard still checks the expiry itself (a message may arrive before the close) and, with
 * `rejectRevokedAccessTokens`, the session.
 *
 * A class, so the guard recognises it with `instanceof`: asking any request object for a mark property cost GraphQL
 * queries over HTTP ~1 µs each, since the HTTP request objects of Express and Fastify do not have it (V8 looks the
 * missing key up along their whole prototype chain). A second copy of the library in one process does not recognise
 * the other's states; its guard then verifies the token in full, which is only slower.
 */
export class VerifiedConnectionState {
  /** The guard reads the token from here; `reauthenticate` replaces the whole state rather than this header. */
  readonly headers: { authorization: string | undefined };
  /** What `@CurrentUser()` reads: the guard puts each message's own copy of the payload here. */
  user: AccessTokenPayload;
  // The index signature of AuthRequest, which the guard and `@CurrentUser()` take.
  [key: string | symbol]: unknown;

  private readonly token: string | undefined;
  /** The verified payload as taken at verification: what a handler does to `user` cannot change it. */
  private readonly payload: PayloadSnapshot;
  /** Epoch ms at which the token expires (its `exp`). */
  private readonly expiresAtMs: number;

  constructor(authorization: string, payload: AccessTokenPayload) {
    this.headers = { authorization };
    this.user = payload;
    this.token = extractBearerToken(authorization);
    this.payload = new PayloadSnapshot(payload as unknown as Record<string, unknown>);
    this.expiresAtMs = payload.exp * 1000;
  }

  /**
   * A copy of the verified payload when `token` (the token the guard read from {@link headers}) is the one this state was
   * built for and is unexpired at `now` (epoch ms); `undefined` otherwise (then the guard verifies in full). The copy is
   * the caller's, nested claims included, as `verifyAccessToken` answers: one message's changes to `request.user` stay
   * out of the next one's.
   */
  verifiedPayloadFor(token: string, now: number): AccessTokenPayload | undefined {
    if (token !== this.token || now >= this.expiresAtMs) return undefined;
    return this.payload.copy() as unknown as AccessTokenPayload;
  }
}
