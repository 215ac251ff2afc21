// Medians, ranges and percentiles of the bench's numbers, computed by simple-statistics. A report must still render
// when a scenario produced nothing to summarise (every request failed, no round ran), so an empty input gives NaN,
// shown as "n/a", instead of simple-statistics' exception at the end of a half-hour run.
import * as ss from 'simple-statistics';

function orNaN<Rest extends unknown[]>(summary: (values: number[], ...rest: Rest) => number) {
  return (values: number[], ...rest: Rest): number => (values.length === 0 ? Number.NaN : summary(values, ...rest));
}

export const median = orNaN(ss.median);
export const min = orNaN(ss.min);
export const max = orNaN(ss.max);
/** Linear-interpolated quantile (`q` in 0–1) of values sorted ascending. */
export const quantileSorted = orNaN(ss.quantileSorted as (sorted: number[], q: number) => number);
