/**
 * A leaky bucket, as Bitrix24 publishes its REST limit (a counter that each request raises
 * by one and that drains at `ratePerSecond`; past `burst` requests are refused) and as
 * RetailCRM's per-second limits can be read (burst 1 to the rate). Callers ask how long to
 * wait before their request; a request that may not wait (a lookup inside Smart Redirect's
 * SLA) asks whether it can go now.
 */
export class LeakyBucket {
  private level = 0;
  private at: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.at = clock();
  }

  /** Takes a place: how many ms to wait before sending (0: now). */
  take(): number {
    this.drain();
    const wait = this.waitFor(this.level + 1);
    this.level += 1;
    return wait;
  }

  /** Takes a place only if the request can go within `maxWaitMs`; returns the wait, or undefined (not taken). */
  tryTake(maxWaitMs: number): number | undefined {
    this.drain();
    const wait = this.waitFor(this.level + 1);
    if (wait > maxWaitMs) return undefined;
    this.level += 1;
    return wait;
  }

  /**
   * How long until a counter at `level` (this request included) is within the limit. Once
   * past the burst, a margin of a tenth of a request: the server's clock and ours drift by
   * a few milliseconds, and a request that arrives a hair early is refused.
   */
  private waitFor(level: number): number {
    return level <= this.burst ? 0 : Math.ceil(((level - this.burst + 0.1) / this.ratePerSecond) * 1000);
  }

  /** The server said its limit is reached (Bitrix24's 503 QUERY_LIMIT_EXCEEDED): assume the bucket is full. */
  fill(): void {
    this.drain();
    this.level = Math.max(this.level, this.burst);
  }

  private drain(): void {
    const now = this.clock();
    this.level = Math.max(0, this.level - ((now - this.at) / 1000) * this.ratePerSecond);
    this.at = now;
  }
}

/** Sleeps, unless aborted first. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    function done() {
      signal?.removeEventListener("abort", aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(new Error("aborted"));
    }
    signal?.addEventListener("abort", aborted, { once: true });
  });
}
