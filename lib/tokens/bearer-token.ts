/** Longer tokens are refused before any parsing or crypto: real tokens are a few hundred bytes. */
export const MAX_TOKEN_LENGTH = 8192;

/**
 * Returns the token of an `Authorization: Bearer <token>` header, or `undefined` when the header is missing, uses
 * another scheme, has no token, or is absurdly long. The scheme is case-insensitive (RFC 9110 §11.1).
 */
export function extractBearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header.length < 8 || header.length > MAX_TOKEN_LENGTH + 7) return undefined;
  if (header.charCodeAt(6) !== 32 /* space */ || header.slice(0, 6).toLowerCase() !== 'bearer') return undefined;
  const token = header.slice(7).trim();
  return token.length > 0 ? token : undefined;
}
