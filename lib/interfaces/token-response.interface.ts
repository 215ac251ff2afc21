/**
 * The wire format of the login and refresh answers (snake_case, as in OAuth 2.0 / RFC 6749 §5.1). Shared by the
 * server, which sends it, and the client, which reads it; type-only, so the client bundle imports nothing from Nest.
 */
export interface TokenResponseBody {
  /** The access token (a JWT). */
  access_token: string;
  /** The refresh token; absent in cookie transport unless `refreshTokenCookie.includeInBody` is set. */
  refresh_token?: string;
  /** Always `'Bearer'`. */
  token_type: 'Bearer';
  /** Access-token lifetime in seconds. */
  expires_in: number;
  /** Seconds until the refresh token expires (idle timeout, capped by the absolute session lifetime). */
  refresh_expires_in: number;
}

/** A token response that carries both tokens: what the session service issues before any transport moves the refresh token. */
export interface TokenPairResponse extends TokenResponseBody {
  refresh_token: string;
}
