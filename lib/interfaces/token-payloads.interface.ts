/** Value of the `token_type` claim and the JOSE `typ` header of each token kind. */
export const ACCESS_TOKEN_TYPE = 'access';
export const REFRESH_TOKEN_TYPE = 'refresh';
/** JOSE header `typ` of access tokens (RFC 9068). */
export const ACCESS_TOKEN_JOSE_TYPE = 'at+jwt';
/** JOSE header `typ` of refresh tokens. */
export const REFRESH_TOKEN_JOSE_TYPE = 'rt+jwt';

/** A user id as the user lookup knows it: numeric ids and UUID strings both work. */
export type UserId = string | number;

/**
 * Claims a user lookup contributes to the access token. `userId` (required) and `username` are conventional; any further
 * (JSON-serialisable) claims such as roles are copied into the token as they are.
 */
export interface AccessTokenClaims {
  userId: UserId;
  username?: string;
  [claim: string]: unknown;
}

/** The verified payload of an access token, as returned by `@CurrentUser()`. */
export interface AccessTokenPayload extends AccessTokenClaims {
  /** The user id as a string (JWT subject). */
  sub: string;
  /** Always `'access'`: a refresh token can never pass for an access token. */
  token_type: typeof ACCESS_TOKEN_TYPE;
  /** The session (refresh-token family) this access token was issued for. */
  sid: string;
  /** Issued-at, seconds since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /**
   * When the user last proved their password (login or re-authentication), seconds since the epoch (OpenID Connect's
   * `auth_time`). Refresh keeps it; `@RequireRecentLogin()` compares it with the clock. Absent from tokens of
   * sessions started before the claim existed.
   */
  auth_time?: number;
  iss?: string;
  aud?: string | string[];
}

/** The verified payload of a refresh token. */
export interface RefreshTokenPayload {
  sub: string;
  userId: UserId;
  token_type: typeof REFRESH_TOKEN_TYPE;
  /** Session (token family) id. */
  sid: string;
  /** Rotation generation inside the family: 0 at login, +1 on every rotation. */
  gen: number;
  /**
   * The session's absolute expiry (seconds since the epoch, fixed at login). Signed into the token so a refresh can
   * rotate with a single conditional UPDATE, without reading the session first. Absent from tokens issued before
   * this claim existed; those take the read-then-rotate path.
   */
  sxp?: number;
  /**
   * When the user last proved their password, seconds since the epoch: carried from token to token so every access
   * token of the session gets the same `auth_time` without the session store knowing about it.
   */
  auth_time?: number;
  iat: number;
  exp: number;
  iss?: string;
  aud?: string | string[];
}
