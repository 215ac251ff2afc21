import { isInstance, type BodyReplayPlugin } from './fetch-adapter.js';

/**
 * Lets the fetch wrapper replay, after a refresh, requests with any body fetch can send twice, not only bodiless and
 * string ones. Bodies given as URLSearchParams, FormData, Blob, ArrayBuffer or typed array are copied synchronously
 * when the call is made (like fetch itself does), so both attempts send the same bytes even if the caller mutates the
 * object afterwards. `Request` objects are replayed through `request.clone()`. Any other body (a `ReadableStream`, a
 * Node stream or another async iterable) can be read only once: such a request is still sent once, and its 401 is
 * returned after the refresh.
 * ```ts
 * createAuthSession({ baseUrl, replayBodies: replayableBodies() });   // nestjs-dual-token-auth/client/core
 * createAuthFetch(session, fetch, { replayBodies: replayableBodies() });
 * ```
 * `nestjs-dual-token-auth/client` wires it in by default (its `session.fetch` and `createAuthFetch`).
 */
export function replayableBodies(): BodyReplayPlugin {
  return (input, init, request, transport) => {
    const initBody = init?.body;
    // Null for a body that can be read only once (a stream, an async iterable): sent once, as is, never replayed.
    const body = initBody == null ? undefined : copyForReplay(initBody);
    if (request && body !== null) {
      const original = init ? new Request(request, init) : request;
      if (original.bodyUsed) return undefined;
      // clone() tees the body, so the spare can be sent after the original was consumed.
      const spare = original.clone();
      return (headers, replay) => transport(new Request(replay ? spare : original, { headers }));
    }
    // Our private copy is never mutated and fetch does not consume these body types, so both attempts can share it.
    return (headers, replay) => (replay && body === null ? null : transport(input, { ...init, ...(body && { body }), headers }));
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
