import type { Logger } from "../log.ts";
import type { History } from "./db.ts";
import { calls, type NewCallRow, type NewDecisionRow, smartDecisions } from "./schema.ts";

/**
 * Writes for the long-running server, batched off the request path. bun:sqlite is
 * synchronous: a write waiting for a per-call process's lock would stall every request, so
 * rows are queued, written together every few milliseconds in one transaction, and on
 * SQLITE_BUSY kept for the next try instead of blocking. The queue is bounded: past
 * `maxPending` the oldest rows are dropped, loudly.
 */
export class WriteQueue {
  private calls: NewCallRow[] = [];
  private decisions: NewDecisionRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busySince: number | undefined;

  constructor(
    private readonly history: History,
    private readonly log: Logger,
    private readonly flushMs = 25,
    private readonly maxPending = 20_000,
  ) {}

  call(row: NewCallRow): void {
    this.calls.push(row);
    this.schedule();
  }

  decision(row: NewDecisionRow): void {
    this.decisions.push(row);
    this.schedule();
  }

  get pending(): number {
    return this.calls.length + this.decisions.length;
  }

  /** Writes everything queued now; returns the rows written. */
  flush(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const callRows = this.calls;
    const decisionRows = this.decisions;
    if (callRows.length + decisionRows.length === 0) return 0;
    this.calls = [];
    this.decisions = [];
    try {
      this.history.sqlite.transaction(() => {
        if (callRows.length) this.history.db.insert(calls).values(callRows).run();
        if (decisionRows.length) this.history.db.insert(smartDecisions).values(decisionRows).run();
      })();
      if (this.busySince !== undefined) this.log.info(`history writable again after ${Date.now() - this.busySince} ms`);
      this.busySince = undefined;
      return callRows.length + decisionRows.length;
    } catch (error) {
      if (/SQLITE_BUSY|database is locked/i.test(String((error as Error).message ?? error))) {
        if (this.busySince === undefined) {
          this.busySince = Date.now();
          this.log.warn("history busy (another process is writing); keeping rows to retry");
        }
        this.calls = callRows.concat(this.calls);
        this.decisions = decisionRows.concat(this.decisions);
        this.trim();
        this.schedule();
      } else {
        this.log.error(`history write failed, ${callRows.length} calls and ${decisionRows.length} decisions lost: ${(error as Error).message}`);
      }
      return 0;
    }
  }

  private schedule(): void {
    this.trim();
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref?.();
    }
  }

  private trim(): void {
    const excess = this.pending - this.maxPending;
    if (excess <= 0) return;
    const fromDecisions = Math.min(excess, this.decisions.length);
    this.decisions.splice(0, fromDecisions);
    this.calls.splice(0, excess - fromDecisions);
    this.log.error(`history queue full: dropped the ${excess} oldest rows (decisions first)`);
  }
}
