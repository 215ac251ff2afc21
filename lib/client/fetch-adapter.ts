import type { AuthenticatedTransport } from './authenticated-transport.interface.js';
import type { FetchLike } from './fetch-like.interface.js';
import { discardBody } from './promise-utils.js';

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
  // Resolved per call: the session assigns rawFetch before creating its own wrapper, but be robust to ordering.
  const transport: FetchLike = (input, init) =>
    (fetchImpl ?? session.rawFetch ?? ((i: RequestInfo | URL, n?: RequestInit) => globalThis.fetch(i, n)))(input, init);

  return async function authFetch(requested: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const input = typeof requested === 'string' && options.baseUrl !== undefined ? resolveAgainst(requested, options.baseUrl) : requested;
    const request = isRequest(input) ? input : undefined;
    const url = request ? request.url : String(input);
    const headerSource = init?.headers !== undefined ? init.headers : request?.headers;
    if (!session.shouldAuthorize(url) || new Headers(headerSource).has('authorization')) {
      return transport(input, init);
    }
    const signal = init?.signal ?? request?.signal ?? undefined;
    const attempt = prepareAttempts(transport, input, init, headerSource);

    const token = await session.getAccessToken();
    const first = await attempt.send(token, 0);
    if (first.status !== 401) return first;

    let fresh: string | null;
    try {
      fresh = await session.handleUnauthorized(token, signal);
    } catch (error) {
      discardBody(first);
      throw error;
    }
    if (fresh === null || !attempt.replayable) return first;
    discardBody(first);
    return attempt.send(fresh, 1);
  };
}

interface Attempts {
  /** False when the body can only be sent once (streams, async iterables); the first response is then final. */
  readonly replayable: boolean;
  send(token: string | null, attempt: 0 | 1): Promise<Response>;
}

function prepareAttempts(
  transport: FetchLike,
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  headerSource: HeadersInit | undefined,
): Attempts {
  // Snapshot now: the first send happens after an await, and the caller may reuse its headers object meanwhile.
  const baseHeaders = new Headers(headerSource);
  const withToken = (token: string | null): Headers => {
    const headers = new Headers(baseHeaders);
    if (token !== null) headers.set('authorization', `Bearer ${token}`);
    return headers;
  };

  const initBody = init?.body;
  if (initBody !== undefined && initBody !== null && !isReusableBody(initBody)) {
    return { replayable: false, send: (token) => transport(input, { ...init, headers: withToken(token) }) };
  }

  if (isRequest(input)) {
    const original = init ? new Request(input, init) : input;
    if (original.bodyUsed) {
      // fetch itself will reject this; don't hide its error behind ours.
      return { replayable: false, send: () => transport(input, init) };
    }
    // clone() tees the body, so the spare can be sent after the original was consumed.
    const spare = original.clone();
    return {
      replayable: true,
      send: (token, n) => transport(new Request(n === 0 ? original : spare, { headers: withToken(token) })),
    };
  }

  // Our private copy is never mutated and fetch does not consume these body types, so both attempts can share it.
  const body = copyBody(initBody);
  return {
    replayable: true,
    send: (token) => transport(input, { ...init, ...(initBody !== undefined ? { body } : {}), headers: withToken(token) }),
  };
}

/**
 * Copy of a reusable body taken when the call is made, so every attempt sends what the caller passed even if the
 * caller mutates the buffer or the params/form afterwards. Blobs and strings are immutable and shared.
 */
function copyBody(body: BodyInit | null | undefined): BodyInit | null | undefined {
  if (body instanceof ArrayBuffer) return body.slice(0);
  if (ArrayBuffer.isView(body)) {
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength).slice();
  }
  if (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) return new URLSearchParams(body);
  if (typeof FormData !== 'undefined' && body instanceof FormData) {
    const copy = new FormData();
    body.forEach((value, key) => copy.append(key, value));
    return copy;
  }
  return body;
}

function isRequest(value: unknown): value is Request {
  return typeof Request !== 'undefined' && value instanceof Request;
}

/** Body types fetch reads without consuming them, so a second request can send them again. */
function isReusableBody(body: unknown): boolean {
  return (
    typeof body === 'string' ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof Blob !== 'undefined' && body instanceof Blob) ||
    (typeof URLSearchParams !== 'undefined' && body instanceof URLSearchParams) ||
    (typeof FormData !== 'undefined' && body instanceof FormData)
  );
}

/** `url` resolved against `base` like `new URL(url, base)`; unchanged when it cannot be parsed (fetch then reports it). */
function resolveAgainst(url: string, base: string): string {
  try {
    return new URL(url, base).href;
  } catch {
    return url;
  }
}
