import type { TokenResponseBody } from '../interfaces/token-response.interface.js';
import { readJwtTiming } from './jwt-expiry.js';
import { isBearerToken, type TokenSet } from './token-storage.js';

/**
 * A token response as `setTokens` accepts it: only `access_token` is required, because answers of other servers (or
 * of a server without rotation) may omit the rest.
 */
export type TokenResponseInput = Pick<TokenResponseBody, 'access_token'> & Partial<Omit<TokenResponseBody, 'access_token'>>;

/** What parsing needs to know besides the body. */
export interface TokenParseContext {
  /** Cookie transport: the refresh token lives in an HttpOnly cookie and is never kept by the client. */
  readonly cookieMode: boolean;
  /** When the answer arrived, on the client's clock (ms since the epoch). */
  readonly receivedAt: number;
  /** The refresh token the request was made with; kept when the answer carries none (server without rotation). */
  readonly previousRefreshToken?: string | undefined;
}

/**
 * Reads a login/refresh answer. The body is untrusted JSON: every field is checked, and anything without a usable
 * `access_token` (a string that can be sent in an `Authorization` header) yields null.
 */
export function parseTokenResponse(body: unknown, context: TokenParseContext): TokenSet | null {
  if (typeof body !== 'object' || body === null) return null;
  const b = body as Record<string, unknown>;
  const accessToken = b['access_token'];
  if (!isBearerToken(accessToken)) return null;
  const tokens: TokenSet = { accessToken };
  if (!context.cookieMode) {
    const refreshToken = b['refresh_token'];
    // A server without rotation may omit the refresh token on refresh: keep using the previous one.
    if (typeof refreshToken === 'string' && refreshToken !== '') tokens.refreshToken = refreshToken;
    else if (context.previousRefreshToken) tokens.refreshToken = context.previousRefreshToken;
  }
  const expiresIn = b['expires_in'];
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) {
    tokens.accessExpiresAt = context.receivedAt + earliestLifetimeMs(expiresIn);
  } else {
    const expiresAt = jwtExpiryOnClientClock(accessToken, context.receivedAt);
    if (expiresAt !== undefined) tokens.accessExpiresAt = expiresAt;
  }
  const refreshExpiresIn = b['refresh_expires_in'];
  if (typeof refreshExpiresIn === 'number' && Number.isFinite(refreshExpiresIn) && refreshExpiresIn > 0) {
    tokens.refreshExpiresAt = context.receivedAt + earliestLifetimeMs(refreshExpiresIn);
  } else if (tokens.refreshToken) {
    const expiresAt = jwtExpiryOnClientClock(tokens.refreshToken, context.receivedAt);
    if (expiresAt !== undefined) tokens.refreshExpiresAt = expiresAt;
  }
  return normalizeTokens(tokens, context.cookieMode);
}

/**
 * How far apart the client's clock and the token's `iat` may be and still count as the same clock: `iat` is
 * truncated to the second and the answer needs some network time, so a correct clock reads up to about 1 s plus the
 * round trip later than `iat`.
 */
const SAME_CLOCK_TOLERANCE_MS = 2_000;

/**
 * The JWT's `exp` moved onto the client's clock. `exp` is a time on the server's clock; a client clock that is off
 * by a minute would otherwise see a 60 s token as 2 s long (and refresh it every second) or as 2 min long. `iat`
 * tells how far off it is, measured at receipt: the token lives `exp - iat` from now (minus the up to 1 s `iat` was
 * truncated by). Without `iat`, or when the clocks agree, `exp` is used as is; a token that already looks expired on
 * arrival is left to the 401 handling, as before.
 */
function jwtExpiryOnClientClock(token: string, receivedAt: number): number | undefined {
  const { expiresAt, issuedAt } = readJwtTiming(token);
  if (expiresAt === undefined || issuedAt === undefined || expiresAt <= receivedAt) return expiresAt;
  const offset = receivedAt - issuedAt;
  if (offset >= -SAME_CLOCK_TOLERANCE_MS && offset <= SAME_CLOCK_TOLERANCE_MS) return expiresAt;
  return receivedAt + Math.max(0, expiresAt - issuedAt - 1000);
}

/** Fills in expiry from the JWT when unknown; drops a refresh token in cookie mode (the cookie is the truth). */
export function normalizeTokens(tokens: TokenSet, cookieMode: boolean): TokenSet {
  const result: TokenSet = { accessToken: tokens.accessToken };
  if (!cookieMode && tokens.refreshToken) result.refreshToken = tokens.refreshToken;
  const accessExpiresAt = tokens.accessExpiresAt ?? readJwtTiming(tokens.accessToken).expiresAt;
  if (accessExpiresAt !== undefined) result.accessExpiresAt = accessExpiresAt;
  const refreshExpiresAt =
    tokens.refreshExpiresAt ?? (result.refreshToken ? readJwtTiming(result.refreshToken).expiresAt : undefined);
  if (refreshExpiresAt !== undefined) result.refreshExpiresAt = refreshExpiresAt;
  return result;
}

/**
 * Lifetime in ms implied by an `expires_in` of whole seconds, assuming the earliest expiry it allows: the server
 * counted it from its own clock truncated to the second, so up to 1 s of it may already be gone when the response is
 * sent (a 2 s token issued at 10.9 s expires at 12 s). Fractional values are taken as exact.
 */
function earliestLifetimeMs(expiresInSeconds: number): number {
  return Number.isInteger(expiresInSeconds) ? (expiresInSeconds - 1) * 1000 : expiresInSeconds * 1000;
}
