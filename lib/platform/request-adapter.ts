import type { ClientMetadata } from '../sessions/session.service.js';

/** The parts of an Express or Fastify request the library reads. */
export interface HttpRequestLike {
  headers: Record<string, string | string[] | undefined>;
  ip?: string;
  [key: string]: unknown;
}

/** Where a request came from, for the session list and audit events. */
export function clientMetadataOf(request: HttpRequestLike): ClientMetadata {
  const userAgent = request.headers['user-agent'];
  return { userAgent: typeof userAgent === 'string' ? userAgent : null, ip: request.ip ?? null };
}

/**
 * Sets a response header on Express (`res.header`/`res.setHeader`) and Fastify (`reply.header`) alike, so the library
 * needs no adapter-specific code.
 */
export function setResponseHeader(response: unknown, name: string, value: string): void {
  const target = response as { header?: (n: string, v: string) => unknown; setHeader?: (n: string, v: string) => unknown };
  if (typeof target.header === 'function') target.header(name, value);
  else target.setHeader?.(name, value);
}

/** `WWW-Authenticate` of a 401 for a request that came without a token (RFC 6750 §3: no error code then). */
export const MISSING_TOKEN_CHALLENGE = 'Bearer';

/** `WWW-Authenticate` of a 401 for a token that was presented but is invalid, expired or revoked (RFC 6750 §3.1). */
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';
