import { PayloadSnapshot } from './payload-snapshot.js';
import { tokenFingerprint } from './token-fingerprint.js';
import type { TokenFrequencySketch } from './token-frequency-sketch.js';

interface CachedVerification {
  /** The whole token text that passed verification; a hit must match it exactly. */
  token: string;
  /** The cache's own copy of the payload; never handed out, only copied. */
  payload: PayloadSnapshot;
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
 * Payloads go in and come out as copies ({@link PayloadSnapshot}): a caller that changes what it received (a request
 * handler editing `request.user`, even a nested `roles` array) can neither change the cache nor another caller's
 * payload. This is the one place that copies, so an uncached verification that is not admitted hands out the freshly
 * parsed payload without a copy.
 *
 * Every method takes the token's {@link tokenFingerprint} as an optional last argument: the caller that has it already
 * (TokenKeyRing, which also feeds it to the admission filter and the sketch) saves computing it again.
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
  get(token: string, now: number, fingerprint = tokenFingerprint(token)): Record<string, unknown> | undefined {
    const entry = this.entries.get(fingerprint);
    if (!entry || entry.token !== token) return undefined;
    if (now >= entry.validUntil || now < entry.validFrom) {
      this.entries.delete(fingerprint);
      return undefined;
    }
    return entry.payload.copy();
  }

  /**
   * Stores a snapshot of a payload that has just passed full verification, unless the cache is full and the entry it
   * would evict (the oldest) is still valid and was verified at least as often lately as this token (by `frequencies`).
   * `payload` itself stays the caller's.
   */
  offer(
    token: string,
    payload: Record<string, unknown>,
    now: number,
    frequencies: TokenFrequencySketch,
    fingerprint = tokenFingerprint(token),
  ): void {
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as number;
      const live = now < this.entries.get(oldest)!.validUntil;
      if (live && frequencies.estimate(fingerprint) <= frequencies.estimate(oldest)) return;
    }
    this.set(token, payload, fingerprint);
  }

  /** Stores a snapshot of a payload that has just passed full verification (the oldest entry makes room when full). */
  set(token: string, payload: Record<string, unknown>, fingerprint = tokenFingerprint(token)): void {
    if (typeof payload.exp !== 'number') return;
    // A token whose fingerprint is already a key replaces that entry in place; only a new key needs room.
    if (this.entries.size >= this.maxEntries && !this.entries.has(fingerprint)) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(fingerprint, {
      token,
      payload: new PayloadSnapshot(payload),
      validFrom: typeof payload.nbf === 'number' ? payload.nbf * 1000 - this.clockToleranceMs : 0,
      validUntil: payload.exp * 1000 + this.clockToleranceMs,
    });
  }
}
