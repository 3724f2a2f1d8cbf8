/**
 * Strict pacing: starts `ratePerSecond` apart, on a grid. A start a little late (a timer
 * fires late, a claim took time) keeps the grid, so the average rate stays exact; after a
 * pause longer than one interval the grid starts again from now, so a stalled campaign
 * never bursts to catch up.
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
    const scheduled = now - this.next < this.intervalMs ? this.next : now;
    this.next = scheduled + this.intervalMs;
  }
}
