import type { AuthenticatedTransport } from './authenticated-transport.interface.js';
import { createAuthFetch, type AuthFetchOptions } from './fetch-adapter.js';
import type { FetchLike } from './fetch-like.interface.js';
import { replayableBodies } from './replayable-bodies.plugin.js';

/**
 * `createAuthFetch` as `nestjs-dual-token-auth/client` exports it: request bodies are replayed after a refresh as
 * that entry always did (`replayBodies` defaults to `replayableBodies()`). See `createAuthFetch` of the lean entry.
 */
export function createAuthFetchWithReplay(session: AuthenticatedTransport, fetchImpl?: FetchLike, options: AuthFetchOptions = {}): FetchLike {
  return createAuthFetch(session, fetchImpl, { ...options, replayBodies: options.replayBodies ?? replayableBodies() });
}
