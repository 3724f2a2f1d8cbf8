/**
 * When to try a failed delivery again: after 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h,
 * then every 4 h, each ±20% so that deliveries failed by one outage do not all come back at
 * once (Standard Webhooks recommends a schedule over days, with jitter). A receiver's
 * Retry-After is a minimum, up to an hour. Past the retry window (24 h by default) the
 * delivery is given up: a dead letter, kept and retryable by hand.
 */
const STEPS_MS = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000];
const MAX_RETRY_AFTER_MS = 3_600_000;
export const DEFAULT_RETRY_WINDOW_MS = 24 * 3_600_000;

/** The delay before attempt `failures + 1`, given `failures` failed attempts so far (1 or more). */
export function retryDelay(failures: number, random: () => number = Math.random, retryAfterMs?: number): number {
  const base = STEPS_MS[Math.min(Math.max(failures, 1), STEPS_MS.length) - 1]!;
  const jittered = Math.round(base * (0.8 + 0.4 * random()));
  return retryAfterMs === undefined ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}

/** The next attempt's time, or undefined when it would fall outside the retry window: give up. */
export function nextAttempt(options: { now: number; createdAt: number; failures: number; windowMs: number; retryAfterMs?: number; random?: () => number }): number | undefined {
  const at = options.now + retryDelay(options.failures, options.random, options.retryAfterMs);
  return at <= options.createdAt + options.windowMs ? at : undefined;
}

/** Retry-After as seconds or an HTTP date, in ms from now; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
