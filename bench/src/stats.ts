/** Small statistics helpers (no dependency: the numbers are few). */

export function median(values: number[]): number {
  return quantile(values, 0.5);
}

/** Linear-interpolated quantile of an unsorted array; NaN when empty. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return quantileSorted(sorted, q);
}

export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  if (lower === upper) return sorted[lower]!;
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export function min(values: number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}

export function max(values: number[]): number {
  return values.length === 0 ? Number.NaN : Math.max(...values);
}

/** Growable Float64 buffer for latencies: no per-sample allocation while the load runs. */
export class Samples {
  private buffer = new Float64Array(1 << 16);
  private size = 0;

  push(value: number): void {
    if (this.size === this.buffer.length) {
      const bigger = new Float64Array(this.buffer.length * 2);
      bigger.set(this.buffer);
      this.buffer = bigger;
    }
    this.buffer[this.size++] = value;
  }

  get length(): number {
    return this.size;
  }

  /** Sorted copy of the samples. */
  sorted(): Float64Array {
    return this.buffer.slice(0, this.size).sort();
  }
}
