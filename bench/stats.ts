/** Medians, percentiles and the formats the report prints them in. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(samples: number[]): number {
  const sorted = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The median of each field over rounds: one object per round in, one object out. */
export function medians<T extends Record<string, number>>(rounds: T[]): T {
  const keys = Object.keys(rounds[0] ?? {}) as (keyof T)[];
  return Object.fromEntries(keys.map((key) => [key, median(rounds.map((round) => round[key] as number))])) as T;
}

const missing = (value: number | undefined): value is undefined => value === undefined || !Number.isFinite(value);
export const ms = (value: number | undefined) => (missing(value) ? "n/a" : `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`);
export const rate = (value: number | undefined) => (missing(value) ? "n/a" : value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0));
export const mib = (kib: number | undefined) => (missing(kib) ? "n/a" : `${(kib / 1024).toFixed(1)} MiB`);
export const ratio = (value: number | undefined) => (missing(value) ? "n/a" : `${value.toFixed(2)}x`);
