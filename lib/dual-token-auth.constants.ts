/** Metadata key set by `@Public()`; namespaced so it cannot clash with other libraries' `isPublic` flags. */
export const IS_PUBLIC_KEY = 'DUAL_TOKEN_AUTH:PUBLIC';

/** Property of the request object where the guard stores the verified access-token payload. */
export const REQUEST_USER_PROPERTY = 'user';

/**
 * @deprecated The guard no longer stores the raw access token on the request: each extra property written to an
 * Express request measurably slows every guarded request (see `AccessTokenGuard`). Read it from the `Authorization`
 * header (`extractBearerToken(request.headers.authorization)`), or use `request.user.sid` to identify the session.
 */
export const REQUEST_ACCESS_TOKEN_PROPERTY = 'dualTokenAuthAccessToken';
