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
 * - Bodies given as string, URLSearchParams, FormData, Blob, ArrayBuffer or typed array are copied synchronously
 *   when the call is made (like fetch itself does), so both attempts send the same bytes even if the caller mutates
 *   the object afterwards. Any other body (a `ReadableStream`, a Node stream or another async iterable) can be read
 *   only once: such a request is never replayed. Its 401 still refreshes the session (so sending it again works)
 *   and is then returned as is; if the refresh fails, the refresh's typed error is thrown instead. `Request` objects
 *   are replayed through `request.clone()`.
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
 */
export function createAuthFetch(
  session: AuthenticatedTransport,
  fetchImpl?: FetchLike,
  options: { baseUrl?: string } = {},
): FetchLike {
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

    /** Sends attempt `n` (0, then 1 for the replay) with `token`. */
    let send: (token: string | null, n: number) => Promise<Response>;
    const initBody = init?.body;
    // Null for a body that can be read only once (a stream, an async iterable): sent once, as is, never replayed.
    const body = initBody == null ? undefined : copyForReplay(initBody);
    if (request && body !== null) {
      const original = init ? new Request(request, init) : request;
      if (original.bodyUsed) return transport(input, init); // fetch itself will reject this; don't hide its error behind ours
      // clone() tees the body, so the spare can be sent after the original was consumed.
      const spare = original.clone();
      send = (token, n) => transport(new Request(n ? spare : original, { headers: withToken(token) }));
    } else {
      // Our private copy is never mutated and fetch does not consume these body types, so both attempts can share it.
      send = (token) => transport(input, { ...init, ...(body && { body }), headers: withToken(token) });
    }

    const token = await session.getAccessToken();
    const first = await send(token, 0);
    if (first.status !== 401) return first;

    let fresh: string | null;
    try {
      fresh = await session.handleUnauthorized(token, signal);
    } catch (error) {
      discardBody(first);
      throw error;
    }
    if (fresh === null || body === null) return first;
    discardBody(first);
    return send(fresh, 1);
  };
}

/**
 * Copy of a body that fetch reads without consuming it, taken when the call is made, so every attempt sends what the
 * caller passed even if the caller mutates the buffer or the params/form afterwards (strings and Blobs are immutable
 * and shared). Null for bodies that can be read only once (streams, async iterables).
 */
function copyForReplay(body: unknown): BodyInit | null {
  if (typeof body === 'string' || isInstance<Blob>(body, 'Blob')) return body;
  if (body instanceof ArrayBuffer) return body.slice(0);
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice();
  if (isInstance<URLSearchParams>(body, 'URLSearchParams')) return new URLSearchParams(body);
  if (isInstance<FormData>(body, 'FormData')) {
    const copy = new FormData();
    body.forEach((value, key) => copy.append(key, value));
    return copy;
  }
  return null;
}

/** `value instanceof globalThis[name]`, false where the runtime has no such class. */
function isInstance<T>(value: unknown, name: 'Request' | 'Blob' | 'URLSearchParams' | 'FormData'): value is T {
  const type = globalThis[name] as (abstract new (...args: never[]) => unknown) | undefined;
  return !!type && value instanceof type;
}

/** `url` resolved against `base` like `new URL(url, base)`; unchanged when it cannot be parsed (fetch then reports it). */
function resolveAgainst(url: string, base: string): string {
  return resolveUrl(url, base)?.href ?? url;
}
