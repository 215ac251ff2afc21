import { readJwtTiming } from './jwt-expiry.js';

/**
 * Reads when `token` expires from its own claims, in ms since the epoch on the client's clock; undefined when it
 * cannot tell (an opaque token, no `exp`). `receivedAt` (client clock, ms) is when a token answer carrying it
 * arrived; absent for tokens of other origin (storage, `setTokens` with a `TokenSet`). What the `jwtExpiry` option
 * takes: see {@link jwtClaimsExpiry}.
 */
export type JwtExpiryPlugin = (token: string, receivedAt?: number) => number | undefined;

/**
 * How far apart the client's clock and the token's `iat` may be and still count as the same clock: `iat` is
 * truncated to the second and the answer needs some network time, so a correct clock reads up to about 1 s plus the
 * round trip later than `iat`.
 */
const SAME_CLOCK_TOLERANCE_MS = 2_000;

/**
 * Expiry from the JWT claims, for tokens whose answer has no `expires_in` (or `refresh_expires_in`) and for token
 * pairs given without expiry times, so proactive refresh works for them too. For an answer, `exp` is moved onto the
 * client's clock: `exp` is a time on the server's clock, and a client clock off by a minute would otherwise see a
 * 60 s token as 2 s long (and refresh it every second) or as 2 min long. `iat` tells how far off it is, measured at
 * receipt: when the client's clock disagrees with `iat` by more than 2 s the token lives `exp - iat` from receipt
 * (minus the up to 1 s `iat` was truncated by); without `iat`, or when the clocks agree, `exp` is used as is. A token
 * that already looks expired on arrival is left to the 401 handling.
 * ```ts
 * createAuthSession({ baseUrl, jwtExpiry: jwtClaimsExpiry() });   // nestjs-dual-token-auth/client/core
 * ```
 * `nestjs-dual-token-auth/client` wires it in by default.
 */
export function jwtClaimsExpiry(): JwtExpiryPlugin {
  return (token, receivedAt) => {
    const { expiresAt, issuedAt } = readJwtTiming(token);
    if (receivedAt === undefined || expiresAt === undefined || issuedAt === undefined || expiresAt <= receivedAt) return expiresAt;
    return Math.abs(receivedAt - issuedAt) <= SAME_CLOCK_TOLERANCE_MS ? expiresAt : receivedAt + Math.max(0, expiresAt - issuedAt - 1000);
  };
}
