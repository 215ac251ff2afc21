/**
 * A verified token payload the library keeps (the verified-token cache, a WebSocket connection's verified token) and
 * hands out only as copies: each {@link copy} is a new object the caller owns, nested claims included, so a request
 * handler that edits `request.user` (even pushes into a `roles` array) changes neither what the library keeps nor what
 * the next request or message gets.
 *
 * A payload whose claims are all primitives (the usual case) is kept as a shallow copy and copied with a spread; one
 * with an object or array claim is kept as JSON text, since a spread would share the nested value (JWT payloads are
 * JSON, so JSON loses nothing).
 */
export class PayloadSnapshot {
  /** The kept copy of a payload without nested claims. */
  private readonly flat: Record<string, unknown> | undefined;
  /** Otherwise the payload as JSON text. */
  private readonly json: string | undefined;

  /** Takes a snapshot of `payload` now; later changes to `payload` do not reach it. */
  constructor(payload: Record<string, unknown>) {
    if (hasNestedClaim(payload)) this.json = JSON.stringify(payload);
    else this.flat = { ...payload };
  }

  /** A new object with the snapshot's claims. */
  copy(): Record<string, unknown> {
    return this.flat ? { ...this.flat } : (JSON.parse(this.json!) as Record<string, unknown>);
  }
}

/** Whether a claim holds an object or array (the only mutable values JSON has). */
function hasNestedClaim(payload: Record<string, unknown>): boolean {
  for (const claim in payload) {
    if (typeof payload[claim] === 'object' && payload[claim] !== null) return true;
  }
  return false;
}
