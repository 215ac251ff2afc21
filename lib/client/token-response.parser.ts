import type { TokenResponseBody } from '../interfaces/token-response.interface.js';
import type { SessionConfig } from './session-config.interface.js';
import { isBearerToken, type TokenSet } from './token-storage.js';

/** What reading tokens depends on: the transport of the refresh token and how expiry is read from JWT claims. */
type TokenReading = Pick<SessionConfig, 'cookieMode' | 'jwtExpiry'>;

/**
 * A token response as `setTokens` accepts it: only `access_token` is required, because answers of other servers (or
 * of a server without rotation) may omit the rest.
 */
export type TokenResponseInput = Pick<TokenResponseBody, 'access_token'> & Partial<Omit<TokenResponseBody, 'access_token'>>;

/**
 * Reads a login/refresh answer that arrived at `receivedAt` (client clock, ms since the epoch). The body is untrusted
 * JSON: every field is checked, and anything without a usable `access_token` (a string that can be sent in an
 * `Authorization` header) yields null. In `cookieMode` the refresh token lives in an HttpOnly cookie and is never
 * kept; otherwise `previousRefreshToken` (the one the request was made with) is kept when the answer carries none
 * (a server without rotation). Without `expires_in`, expiry comes from the `jwtExpiry` plugin, when there is one.
 */
export function parseTokenResponse(
  body: unknown,
  { cookieMode, jwtExpiry }: TokenReading,
  receivedAt: number,
  previousRefreshToken?: string,
): TokenSet | null {
  const b = (typeof body === 'object' && body) as Partial<Record<keyof TokenResponseBody, unknown>>;
  const accessToken = b && b.access_token;
  if (!isBearerToken(accessToken)) return null;
  const sent = b.refresh_token;
  const refreshToken = cookieMode ? undefined : typeof sent === 'string' && sent !== '' ? sent : previousRefreshToken || undefined;
  /** From the answer's lifetime in seconds when it has one, else from the token's own claims. */
  const expiry = (seconds: unknown, token: string | undefined): number | undefined =>
    typeof seconds === 'number' && seconds > 0 && seconds < Infinity
      ? receivedAt + earliestLifetimeMs(seconds)
      : token ? jwtExpiry?.(token, receivedAt) : undefined;
  return withoutUndefined({
    accessToken,
    refreshToken,
    accessExpiresAt: expiry(b.expires_in, accessToken),
    refreshExpiresAt: expiry(b.refresh_expires_in, refreshToken),
  });
}

/**
 * Fills in expiry from the `jwtExpiry` plugin when unknown (and there is one); drops a refresh token in cookie mode
 * (the cookie is the truth).
 */
export function normalizeTokens(tokens: TokenSet, { cookieMode, jwtExpiry }: TokenReading): TokenSet {
  const refreshToken = cookieMode ? undefined : tokens.refreshToken || undefined;
  return withoutUndefined({
    accessToken: tokens.accessToken,
    refreshToken,
    accessExpiresAt: tokens.accessExpiresAt ?? jwtExpiry?.(tokens.accessToken),
    refreshExpiresAt: tokens.refreshExpiresAt ?? (refreshToken ? jwtExpiry?.(refreshToken) : undefined),
  });
}

/** The pair without its unknown fields, so stored and reported pairs only carry what is known. */
function withoutUndefined(tokens: TokenSet): TokenSet {
  for (const key in tokens) if (tokens[key as keyof TokenSet] === undefined) delete tokens[key as keyof TokenSet];
  return tokens;
}

/**
 * Lifetime in ms implied by an `expires_in` of whole seconds, assuming the earliest expiry it allows: the server
 * counted it from its own clock truncated to the second, so up to 1 s of it may already be gone when the response is
 * sent (a 2 s token issued at 10.9 s expires at 12 s). Fractional values are taken as exact.
 */
function earliestLifetimeMs(expiresInSeconds: number): number {
  return Number.isInteger(expiresInSeconds) ? (expiresInSeconds - 1) * 1000 : expiresInSeconds * 1000;
}
