/**
 * @module bench/lib/histogram
 *
 * A small latency histogram for function sides (autocannon keeps its own for HTTP sides).
 * Buckets grow geometrically by 1%, so any percentile is within 1% of the true value, and
 * memory stays a few kilobytes however many operations a run completes: a function side can
 * be fast enough that keeping every duration would itself distort the measurement.
 */

/** Relative width of a bucket. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
/** Durations below one microsecond fall into the first bucket. */
const FLOOR_MS = 0.001;

export interface LatencyHistogram {
  /** Records one duration in milliseconds. */
  record(ms: number): void;
  /** The duration below which `percent` of the recorded ones fall, in ms; NaN when empty. */
  percentile(percent: number): number;
  readonly count: number;
}

function bucketOf(ms: number): number {
  return Math.max(0, Math.ceil(Math.log(Math.max(ms, FLOOR_MS) / FLOOR_MS) / LOG_GROWTH));
}

/** Upper edge of a bucket, in ms. */
function valueOf(bucket: number): number {
  return FLOOR_MS * GROWTH ** bucket;
}

export function createLatencyHistogram(): LatencyHistogram {
  const counts = new Map<number, number>();
  let count = 0;
  return {
    record(ms) {
      const bucket = bucketOf(ms);
      counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
      count += 1;
    },
    percentile(percent) {
      if (count === 0) return Number.NaN;
      const rank = Math.ceil((percent / 100) * count);
      let seen = 0;
      for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
        seen += counts.get(bucket) ?? 0;
        if (seen >= rank) return valueOf(bucket);
      }
      return Number.NaN;
    },
    get count() {
      return count;
    },
  };
}
