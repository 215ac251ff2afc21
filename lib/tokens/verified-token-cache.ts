import { tokenFingerprint } from './token-fingerprint.js';
import type { TokenFrequencySketch } from './token-frequency-sketch.js';

interface CachedVerification {
  /** The whole token text that passed verification; a hit must match it exactly. */
  token: string;
  /** The cache's own shallow copy of a payload whose claims are all primitives; never handed out, only copied. */
  flatSnapshot: Record<string, unknown> | undefined;
  /** Otherwise the payload as JSON text: a claim holding an object or array would be shared by a shallow copy. */
  nestedJson: string | undefined;
  /** Epoch ms from which the token is valid (`nbf` minus the clock tolerance), 0 without `nbf`. */
  validFrom: number;
  /** Epoch ms until which the token is valid (`exp` plus the clock tolerance). */
  validUntil: number;
}

/**
 * Remembers successfully verified access tokens, so a client that sends the same token on every request pays the
 * signature check about twice per token instead of once per request. Which tokens get a place is decided with their
 * recent verification counts ({@link offer}, TinyLFU's admission: see TokenFrequencySketch).
 *
 * A hit requires the presented token to equal the verified one character for character; the token's fingerprint (a
 * number made from its signature's last characters) is only where to look. A forged token that copies a cached
 * token's signature therefore misses, goes through full verification and fails, and it does not evict the entry it
 * collided with.
 *
 * Payloads go in and come out as copies: `set` keeps a snapshot, and every `get` returns a new object built from it, so
 * a caller that changes what it received (a request handler editing `request.user`, even a nested `roles` array) can
 * neither change the cache nor another caller's payload. This is the one place that copies, so an uncached
 * verification that is not admitted hands out the freshly parsed payload without a copy.
 *
 * Why not fast-jwt's own cache: it hashes every token with SHA-256 to build its key, which costs more than the rest
 * of a cached verification together. Only successes are stored, expiry is re-checked on every hit, and the size is
 * bounded (oldest entry dropped first), so memory does not grow with traffic.
 */
export class VerifiedTokenCache {
  /** By {@link tokenFingerprint} of the token: a new token takes the place of an older one with the same fingerprint. */
  private readonly entries = new Map<number, CachedVerification>();

  constructor(
    private readonly maxEntries: number,
    private readonly clockToleranceMs: number,
  ) {}

  /**
   * A new copy of the cached payload, when the token was verified before and is still within its validity window; the
   * caller owns it.
   */
  get(token: string, now: number): Record<string, unknown> | undefined {
    const key = tokenFingerprint(token);
    const entry = this.entries.get(key);
    if (!entry || entry.token !== token) return undefined;
    if (now >= entry.validUntil || now < entry.validFrom) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.flatSnapshot ? { ...entry.flatSnapshot } : JSON.parse(entry.nestedJson!);
  }

  /**
   * Stores a snapshot of a payload that has just passed full verification, unless the cache is full and the entry it
   * would evict (the oldest) is still valid and was verified at least as often lately as this token (by `frequencies`).
   * `payload` itself stays the caller's.
   */
  offer(token: string, payload: Record<string, unknown>, now: number, frequencies: TokenFrequencySketch): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as number;
      const live = now < this.entries.get(oldest)!.validUntil;
      if (live && frequencies.estimate(tokenFingerprint(token)) <= frequencies.estimate(oldest)) return;
      this.entries.delete(oldest);
    }
    this.set(token, payload);
  }

  /** Stores a snapshot of a payload that has just passed full verification (the oldest entry makes room when full). */
  set(token: string, payload: Record<string, unknown>): void {
    if (typeof payload.exp !== 'number') return;
    const nested = hasNestedValue(payload);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(tokenFingerprint(token), {
      token,
      flatSnapshot: nested ? undefined : { ...payload },
      nestedJson: nested ? JSON.stringify(payload) : undefined,
      validFrom: typeof payload.nbf === 'number' ? payload.nbf * 1000 - this.clockToleranceMs : 0,
      validUntil: payload.exp * 1000 + this.clockToleranceMs,
    });
  }
}

/** Whether a claim holds an object or array (JWT payloads are JSON, so nothing else is mutable). */
function hasNestedValue(payload: Record<string, unknown>): boolean {
  for (const claim in payload) {
    if (typeof payload[claim] === 'object' && payload[claim] !== null) return true;
  }
  return false;
}
