/** How late a start may be and still keep the grid (the calls it missed follow at once). */
const CATCH_UP_MS = 100;

/**
 * Strict pacing: starts `ratePerSecond` apart, on a grid. A start a little late (a timer
 * fires late, the event loop was busy for a few milliseconds) keeps the grid, so the
 * average rate stays exact: what a short stall delayed follows at once. After a longer pause
 * (more than an interval and more than CATCH_UP_MS) the grid starts again from now, so a
 * paused or stalled campaign never bursts to catch up.
 */
export class Pacer {
  private next = Number.NEGATIVE_INFINITY;

  constructor(private ratePerSecond: number) {}

  get intervalMs(): number {
    return 1000 / this.ratePerSecond;
  }

  /** A reload may change the rate: the next start moves by the difference. */
  setRate(ratePerSecond: number): void {
    if (ratePerSecond === this.ratePerSecond) return;
    if (Number.isFinite(this.next)) this.next += 1000 / ratePerSecond - this.intervalMs;
    this.ratePerSecond = ratePerSecond;
  }

  /** When the next start may happen (at or before `now`: now). */
  dueAt(now: number): number {
    return Math.max(now, this.next);
  }

  ready(now: number): boolean {
    return now >= this.next;
  }

  take(now: number): void {
    const scheduled = now - this.next < Math.max(this.intervalMs, CATCH_UP_MS) ? this.next : now;
    this.next = scheduled + this.intervalMs;
  }
}
