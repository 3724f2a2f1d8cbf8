/** The clock of an AMI connection: timeouts, the Ping deadline, reconnect backoff. */
export interface AmiTiming {
  connectTimeoutMs: number;
  /** Per action, unless the caller gives its own. */
  actionTimeoutMs: number;
  /** A Ping this often, answered within pingTimeoutMs, or the connection is presumed dead. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  /** Reconnect backoff: the first retry within retryInitialMs, doubling with jitter up to retryMaxMs. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** A connection that lasted this long resets the backoff. */
  stableAfterMs: number;
  /** After a refused login: never retry sooner than this (a wrong secret is not fixed by hammering). */
  authRetryMs: number;
  /** How long to wait for FullyBooted after login before resyncing anyway. */
  fullyBootedTimeoutMs: number;
  /** Bytes we may hold for a peer that does not read, and actions in flight. */
  maxPendingWrite: number;
  maxPendingActions: number;
}

export const DEFAULT_TIMING: AmiTiming = {
  connectTimeoutMs: 5000,
  actionTimeoutMs: 10_000,
  pingIntervalMs: 10_000,
  pingTimeoutMs: 5000,
  retryInitialMs: 500,
  retryMaxMs: 30_000,
  stableAfterMs: 60_000,
  authRetryMs: 30_000,
  fullyBootedTimeoutMs: 5000,
  maxPendingWrite: 1024 * 1024,
  maxPendingActions: 1000,
};

/**
 * How long to wait before the next attempt after `failures` failed ones: exponential from
 * retryInitialMs, capped at retryMaxMs, with jitter (half of it random) so that many
 * clients do not reconnect in step; never sooner than authRetryMs after a refused login.
 */
export function retryDelay(failures: number, timing: Pick<AmiTiming, "retryInitialMs" | "retryMaxMs" | "authRetryMs">, random: number, authFailed: boolean): number {
  const base = Math.min(timing.retryMaxMs, timing.retryInitialMs * 2 ** Math.min(failures, 30));
  const delay = base / 2 + random * (base / 2);
  return authFailed ? Math.max(delay, timing.authRetryMs) : delay;
}
