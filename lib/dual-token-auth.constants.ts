/** Metadata key set by `@Public()`; namespaced so it cannot clash with other libraries' `isPublic` flags. */
export const IS_PUBLIC_KEY = 'DUAL_TOKEN_AUTH:PUBLIC';

/** Property of the request object where the guard stores the verified access-token payload. */
export const REQUEST_USER_PROPERTY = 'user';

/** Metadata key set by `@OptionalAuth()`: a request without a token passes with no user; a bad token is still a 401. */
export const IS_OPTIONAL_AUTH_KEY = 'DUAL_TOKEN_AUTH:OPTIONAL_AUTH';
