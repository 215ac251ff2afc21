// Which token each request of the many-users scenario carries: one access token per active user means a server sees
// a different token on almost every request. Sequences are drawn once, from a seeded generator, so every run (and both
// processes of a pair) sees the same traffic.

/** `uniform`: every token equally likely. `zipf`: a few users very active, a long tail rarely (rank k weighs 1/k^s). */
export type TokenMix = 'uniform' | 'zipf';

/** Zipf exponent of the skewed mix: s = 1, the classic shape of per-user activity (web traffic, API keys). */
export const ZIPF_EXPONENT = 1;

/** Requests drawn per sequence (then it repeats): far more than a measurement window sends. */
const SEQUENCE_LENGTH = 1 << 20;

/** mulberry32: a small, fast, seeded PRNG (quality is plenty for picking tokens). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Token indices (into a pool of `poolSize`) for {@link SEQUENCE_LENGTH} requests. */
export function tokenSequence(mix: TokenMix, poolSize: number, seed = 16): Uint32Array {
  const random = seededRandom(seed);
  const sequence = new Uint32Array(SEQUENCE_LENGTH);
  if (mix === 'uniform') {
    for (let i = 0; i < SEQUENCE_LENGTH; i += 1) sequence[i] = Math.floor(random() * poolSize);
    return sequence;
  }
  // Zipf: cumulative weights by rank, a binary search per draw; ranks are spread over the pool by a seeded shuffle so
  // the busiest users are not the first sessions created.
  const cumulative = new Float64Array(poolSize);
  let total = 0;
  for (let rank = 0; rank < poolSize; rank += 1) cumulative[rank] = total += 1 / (rank + 1) ** ZIPF_EXPONENT;
  const tokenOfRank = Uint32Array.from({ length: poolSize }, (_, i) => i);
  for (let i = poolSize - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [tokenOfRank[i], tokenOfRank[j]] = [tokenOfRank[j]!, tokenOfRank[i]!];
  }
  for (let i = 0; i < SEQUENCE_LENGTH; i += 1) {
    const target = random() * total;
    let low = 0;
    let high = poolSize - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle]! < target) low = middle + 1;
      else high = middle;
    }
    sequence[i] = tokenOfRank[low]!;
  }
  return sequence;
}

/** Share of requests that carry one of the `top` most frequent tokens of a sequence (what a cache of that size can hit at best). */
export function topShare(sequence: Uint32Array, top: number): number {
  const counts = new Map<number, number>();
  for (const index of sequence) counts.set(index, (counts.get(index) ?? 0) + 1);
  const sorted = [...counts.values()].sort((a, b) => b - a);
  return sorted.slice(0, top).reduce((sum, n) => sum + n, 0) / sequence.length;
}
