// Names of the micro-benchmark rows that targets read (micro.ts runs when imported, so they live here).

/**
 * Distinct access tokens cycled for the uncached verify: more than the verifier cache (1,000) holds and than its
 * admission filter (8,192 fingerprints) remembers, so each verification is a miss that is not admitted (with 2,000,
 * the cache's frequency-based admission keeps half of them cached and the row would measure hits).
 */
export const DISTINCT_TOKENS = 20_000;

/** Operation name of the floor row: the target compares the uncached verification with it. */
export const VERIFICATION_FLOOR_OPERATION = 'floor: HMAC-SHA256 of the signing input + base64url/JSON decode of the payload';

/** Operation name of the uncached verification row of the HS256 group. */
export const UNCACHED_VERIFICATION_OPERATION = `verifyAccessToken, ${DISTINCT_TOKENS} distinct tokens (cache miss)`;
