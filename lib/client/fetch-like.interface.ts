/** Signature of `fetch` (what `globalThis.fetch` and `session.fetch` implement). */
export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
