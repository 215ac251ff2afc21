import type { FetchLike } from './fetch-like.interface.js';

/**
 * What a request adapter (fetch wrapper, axios interceptors, a custom one) needs from a session: whether a URL may
 * carry the token, the token to send, and what to do about a 401. `AuthSession` implements it; adapters depend on
 * this interface only, so they can be tested and written without a session.
 */
export interface AuthenticatedTransport {
  /**
   * Whether a request to `url` (absolute, exactly as the transport will request it) may carry the access token: its
   * origin is allowed and it is not the login or refresh endpoint.
   */
  shouldAuthorize(url: string): boolean;
  /** The access token to send now, or null when there is none. */
  getAccessToken(): Promise<string | null>;
  /**
   * Called once per request that got 401 with `sentWithToken`. Resolves to the token to replay the request with
   * (at most once), or null to pass the 401 on unchanged. Rejects with the client's typed errors, or with the
   * signal's reason when `signal` aborts while waiting.
   */
  handleUnauthorized(sentWithToken: string | null, signal?: AbortSignal): Promise<string | null>;
  /** Transport used by adapters that were given none. @default globalThis.fetch */
  readonly rawFetch?: FetchLike;
}
