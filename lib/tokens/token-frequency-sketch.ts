/** Counters of the sketch: a power of two; one byte each (16 KiB). */
const DEFAULT_SLOTS = 16_384;
/** A counter stops at this value (4 bits' worth, as in TinyLFU): enough to tell hot from cold. */
const MAX_COUNT = 15;

/**
 * How often each access token was verified lately, approximately: the frequency sketch of TinyLFU, which decides
 * whether a verified token is worth the verified-token cache's entry it would evict.
 *
 * Tokens are counted once the doorkeeper (SecondSightingFilter) has seen them before, on every verification from then
 * on, cache hits included. A token's count lives in two byte counters picked by two mixes of its fingerprint; its
 * estimate is the smaller one (a count-min sketch of depth 2, incremented conservatively: only the counters at the
 * minimum grow, which keeps collisions from inflating estimates). After ten sightings per counter all counters are
 * halved, so the sketch reflects recent traffic, not the process's lifetime.
 *
 * Why: with more recurring tokens than cache entries (say 2,000 users each sending a token every few seconds, and
 * 1,000 entries), "cache every token verified twice" evicts an entry per request for a token that comes back after it
 * was evicted itself: all cost (a copy, an eviction, garbage promoted to V8's old generation), no hits. With the sketch
 * the cache only trades an entry for a token verified more often than the entry it would evict: evenly spread traffic
 * leaves the cache as it is, skewed traffic fills it with the busiest users. Counting allocates nothing; a collision can
 * only admit a token early or keep it out, never change what verification decides.
 */
export class TokenFrequencySketch {
  private readonly counters: Uint8Array;
  private readonly mask: number;
  private readonly shift: number;
  private readonly sampleSize: number;
  private additions = 0;

  /** @param slots Counters, a power of two (one byte each). @default 16384 */
  constructor(slots = DEFAULT_SLOTS) {
    const bits = Math.log2(slots);
    if (!Number.isInteger(bits) || bits < 4 || bits > 24) throw new RangeError(`slots must be a power of two from 16 to 2^24, got ${slots}`);
    this.counters = new Uint8Array(slots);
    this.mask = slots - 1;
    this.shift = 32 - bits;
    this.sampleSize = 10 * slots;
  }

  /** Counts one verification of the token with this fingerprint (tokenFingerprint); returns its estimated count including this one. */
  record(fingerprint: number): number {
    const first = this.firstSlot(fingerprint);
    const second = this.secondSlot(fingerprint);
    const current = Math.min(this.counters[first]!, this.counters[second]!);
    if (current >= MAX_COUNT) return MAX_COUNT;
    if (this.counters[first] === current) this.counters[first] = current + 1;
    if (this.counters[second] === current) this.counters[second] = current + 1;
    if (++this.additions >= this.sampleSize) this.age();
    return current + 1;
  }

  /** The estimated count of the token with this fingerprint, without counting. */
  estimate(fingerprint: number): number {
    return Math.min(this.counters[this.firstSlot(fingerprint)]!, this.counters[this.secondSlot(fingerprint)]!);
  }

  private firstSlot(fingerprint: number): number {
    return fingerprint & this.mask;
  }

  /** The fingerprint's high bits after a multiplicative mix: independent enough of its low bits (the first slot). */
  private secondSlot(fingerprint: number): number {
    return Math.imul(fingerprint ^ (fingerprint >>> 15), 0x2c1b3c6d) >>> this.shift;
  }

  /** Halves every counter: old popularity fades, so a formerly busy token cannot hold its place forever. */
  private age(): void {
    for (let i = 0; i < this.counters.length; i += 1) this.counters[i] = this.counters[i]! >> 1;
    this.additions = Math.floor(this.additions / 2);
  }
}
