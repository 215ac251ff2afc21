import type { AuthenticatedTransport } from './authenticated-transport.interface.js';
import type { FetchLike } from './fetch-like.interface.js';
import { discardBody } from './promise-utils.js';
import { resolveUrl } from './url-utils.js';

/**
 * Wraps `fetchImpl` so requests to the session's allowed origins carry `Authorization: Bearer <access token>`, and a
 * 401 is handled once: the request is replayed with the refreshed (or meanwhile newer) token. The replay's response
 * is returned as is, even if it is another 401 — a request is never replayed twice.
 *
 * - Requests to other origins, to the login/refresh endpoints, or that already set `Authorization` themselves pass
 *   through untouched.
 * - Requests without a body or with a string body are replayed, and so are `Request` objects without a body. Other
 *   bodies are replayed only with the `replayBodies` option (`replayableBodies()`, which `nestjs-dual-token-auth/client`
 *   always passes): see there. A request that is not replayed is sent once; its 401 still refreshes the session (so
 *   sending it again works) and is then returned as is; if the refresh fails, the refresh's typed error is thrown
 *   instead.
 * - When the refresh fails the promise rejects with `SessionEndedError` or `RefreshFailedError`; when the request's
 *   own signal aborts while waiting for the refresh, it rejects with the signal's reason (an `AbortError`), without
 *   affecting the refresh or other requests.
 *
 * - With `options.baseUrl`, a relative URL string is resolved against it the way `new URL(url, baseUrl)` does, and
 *   that absolute URL is both what is requested and what the origin check judges (so `session.fetch('/profile')`
 *   works in Node and goes to the API in a browser). Without it, relative URLs are left to the transport (the page's
 *   URL in a browser).
 *
 * @param session the session (any {@link AuthenticatedTransport}) whose token is attached.
 * @param fetchImpl transport to wrap. @default session.rawFetch, else globalThis.fetch
 * @param options.baseUrl absolute URL relative request URLs are resolved against. @default none
 * @param options.replayBodies replays requests with any body fetch can send twice (`replayableBodies()`).
 * @default none: only bodiless requests and string bodies are replayed
 */
export function createAuthFetch(session: AuthenticatedTransport, fetchImpl?: FetchLike, options: AuthFetchOptions = {}): FetchLike {
  // Resolved per call: the session assigns rawFetch before creating its own wrapper, but be robust to ordering; the
  // global fetch is looked up per call (polyfills installed later are used) and called unbound (window.fetch throws
  // "Illegal invocation" when called as a method of something else).
  const transport: FetchLike = (input, init) => (fetchImpl ?? session.rawFetch ?? fetch)(input, init);

  return async function authFetch(requested: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const input = typeof requested === 'string' && options.baseUrl !== undefined ? resolveAgainst(requested, options.baseUrl) : requested;
    const request = isInstance<Request>(input, 'Request') ? input : undefined;
    const headerSource = init?.headers !== undefined ? init.headers : request?.headers;
    // Snapshot now: the first send happens after an await, and the caller may reuse its headers object meanwhile.
    const baseHeaders = new Headers(headerSource);
    if (!session.shouldAuthorize(request ? request.url : String(input)) || baseHeaders.has('authorization')) {
      return transport(input, init);
    }
    const signal = init?.signal ?? request?.signal ?? undefined;
    const withToken = (token: string | null): Headers => {
      const headers = new Headers(baseHeaders);
      if (token !== null) headers.set('authorization', `Bearer ${token}`);
      return headers;
    };

    const attempt = (options.replayBodies ?? sendAsGiven)(input, init, request, transport);
    if (!attempt) return transport(input, init); // fetch itself will reject this; don't hide its error behind ours

    const token = await session.getAccessToken();
    const first = await attempt(withToken(token), false)!;
    if (first.status !== 401) return first;

    let fresh: string | null;
    try {
      fresh = await session.handleUnauthorized(token, signal);
    } catch (error) {
      discardBody(first);
      throw error;
    }
    const replay = fresh !== null && attempt(withToken(fresh), true);
    if (!replay) return first;
    discardBody(first);
    return replay;
  };
}

/** Options of {@link createAuthFetch}. */
export interface AuthFetchOptions {
  /** Absolute URL relative request URLs are resolved against. @default none (left to the transport) */
  baseUrl?: string;
  /** Replays requests with any body fetch can send twice: `replayableBodies()`. @default none (see createAuthFetch) */
  replayBodies?: BodyReplayPlugin;
}

/**
 * Sends one request's attempts with the given headers: first (`replay` false), then once more after a refresh
 * (`replay` true). Null for the replay of a request that can be sent only once.
 */
export type RequestAttempts = (headers: Headers, replay: boolean) => Promise<Response> | null;

/**
 * Prepares a request (`input` as fetch takes it, `request` when it is a `Request`) for its attempts over
 * `transport`; undefined passes it to `transport` as it is, unauthenticated (a `Request` whose body was already read:
 * fetch rejects it). What the `replayBodies` option takes: see `replayableBodies()`.
 */
export type BodyReplayPlugin = (
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  request: Request | undefined,
  transport: FetchLike,
) => RequestAttempts | undefined;

/** Without `replayBodies`: a request is replayed only when it has no body or a string body (immutable). */
const sendAsGiven: BodyReplayPlugin = (input, init, request, transport) => {
  const body = init?.body ?? request?.body;
  const replayable = body == null || typeof body === 'string';
  return (headers, replay) =>
    replay && !replayable ? null : request ? transport(new Request(request, { ...init, headers })) : transport(input, { ...init, headers });
};

/** `value instanceof globalThis[name]`, false where the runtime has no such class. */
export function isInstance<T>(value: unknown, name: 'Request' | 'Blob' | 'URLSearchParams' | 'FormData'): value is T {
  const type = globalThis[name] as (abstract new (...args: never[]) => unknown) | undefined;
  return !!type && value instanceof type;
}

/** `url` resolved against `base` like `new URL(url, base)`; unchanged when it cannot be parsed (fetch then reports it). */
function resolveAgainst(url: string, base: string): string {
  return resolveUrl(url, base)?.href ?? url;
}
