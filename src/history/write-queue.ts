import type { Logger } from "../log.ts";
import type { BackgroundWriter } from "./background-writer.ts";
import type { History } from "./db.ts";
import { insertSql } from "./prepared.ts";
import { calls, type NewCallRow, type NewDecisionRow, smartDecisions } from "./schema.ts";
import { spoolRecord } from "./spool.ts";
import { type BatchOutcome, type BatchPart, runBatch } from "./write-batch.ts";
import { WriteHealth } from "./write-health.ts";

const MAX_RETRY_MS = 1000;

/** One row per statement run, in one transaction: the same SQL every time, prepared once per connection. */
// A record imported from the spool meanwhile is not written twice (record_key).
const callInsert = insertSql(calls, "ON CONFLICT (record_key) DO NOTHING");
const decisionInsert = insertSql(smartDecisions);

export interface WriteQueueOptions {
  flushMs?: number;
  /** Rows kept in memory while the database is busy; past it the oldest calls go to the spool. */
  maxPending?: number;
  /** Where call records go when the database cannot take them (see spool.ts); none: they are lost. */
  spoolDir?: string;
  health?: WriteHealth;
  /** Calls just committed (Smart Redirect drops what it cached about their numbers). */
  onCallsWritten?: (rows: readonly NewCallRow[]) => void;
  /**
   * ivr serve's writer thread: the batches the timer writes go there, so the event loop never
   * waits for the disk. flush() and close() still write on this thread.
   */
  background?: BackgroundWriter;
}

/**
 * Writes for the long-running server, batched off the request path. bun:sqlite is
 * synchronous: a write waiting for a per-call process's lock would stall every request, so
 * rows are queued, written together every few milliseconds in one transaction, and on
 * SQLITE_BUSY kept for the next try instead of blocking. A write that fails for another
 * reason (a full disk, a read-only file) does not mend by itself: its calls go to the spool,
 * imported once the database takes writes again. The queue is bounded: past `maxPending`
 * the oldest decisions are dropped and the oldest calls spooled, loudly.
 */
export class WriteQueue {
  readonly health: WriteHealth;
  private calls: NewCallRow[] = [];
  private decisions: NewDecisionRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The batch with the writer thread now, and its rows. */
  private writing: Promise<void> | undefined;
  private writingRows = 0;
  /** While the database stays busy, tries are spaced out (each may wait the busy timeout, stalling the server). */
  private retryMs: number | undefined;
  private readonly flushMs: number;
  private readonly maxPending: number;

  constructor(
    private readonly history: History,
    private readonly log: Logger,
    private readonly options: WriteQueueOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 25;
    this.maxPending = options.maxPending ?? 20_000;
    this.health = options.health ?? new WriteHealth();
  }

  call(row: NewCallRow): void {
    this.calls.push(row);
    this.schedule();
  }

  decision(row: NewDecisionRow): void {
    this.decisions.push(row);
    this.schedule();
  }

  /** Rows not written yet: queued, and with the writer thread. */
  get pending(): number {
    return this.calls.length + this.decisions.length + this.writingRows;
  }

  /** Writes everything queued now, on this thread; returns the rows written. */
  flush(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const callRows = this.calls;
    const decisionRows = this.decisions;
    if (callRows.length + decisionRows.length === 0) return 0;
    this.calls = [];
    this.decisions = [];
    return this.settle(callRows, decisionRows, runBatch(this.history.sqlite, batch(callRows, decisionRows)));
  }

  /** At shutdown: waits for the writer thread, then writes what it can and spools what the database would not take. */
  close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { background } = this.options;
    if (!this.writing && !background) return Promise.resolve(this.closeNow());
    return (async () => {
      await this.writing;
      await background?.close();
      this.closeNow();
    })();
  }

  private closeNow(): void {
    this.flush();
    if (this.pending) this.setAside(this.calls.splice(0), this.decisions.splice(0), "history busy at shutdown", true);
  }

  private schedule(): void {
    this.trim();
    if (!this.timer && !this.writing) {
      this.timer = setTimeout(() => (this.options.background?.alive ? this.writeInBackground() : this.flush()), this.retryMs ?? this.flushMs);
      this.timer.unref?.();
    }
  }

  /** One batch at a time goes to the writer thread; what is queued meanwhile follows when it is done. */
  private writeInBackground(): void {
    this.timer = undefined;
    const callRows = this.calls;
    const decisionRows = this.decisions;
    if (callRows.length + decisionRows.length === 0) return;
    this.calls = [];
    this.decisions = [];
    this.writingRows = callRows.length + decisionRows.length;
    this.writing = this.options.background!.write(batch(callRows, decisionRows)).then((outcome) => {
      this.writing = undefined;
      this.writingRows = 0;
      this.settle(callRows, decisionRows, outcome);
      if (this.calls.length + this.decisions.length) this.schedule();
    });
  }

  /** What a batch's outcome means: callbacks when written, the rows kept when busy, set aside when failed. Returns the rows written. */
  private settle(callRows: NewCallRow[], decisionRows: NewDecisionRow[], outcome: BatchOutcome): number {
    if (outcome.state === "busy") {
      if (this.health.busy() !== "busy") this.log.warn("history busy (another process is writing); keeping rows to retry");
      this.calls = callRows.concat(this.calls);
      this.decisions = decisionRows.concat(this.decisions);
      this.retryMs = Math.min(MAX_RETRY_MS, (this.retryMs ?? this.flushMs) * 2);
      this.schedule();
      return 0;
    }
    if (outcome.state === "failed") {
      const first = this.health.failed(new Error(outcome.message)) !== "failing";
      this.setAside(callRows, decisionRows, `history write failed: ${outcome.message}`, first);
      return 0;
    }
    this.retryMs = undefined;
    const { since } = this.health.current();
    if (this.health.wrote() !== "ok") this.log.info(`history writable again after ${Date.now() - (since ?? Date.now())} ms`);
    if (callRows.length) this.options.onCallsWritten?.(callRows);
    return callRows.length + decisionRows.length;
  }

  private trim(): void {
    const excess = this.pending - this.maxPending;
    if (excess <= 0) return;
    const decisions = this.decisions.splice(0, Math.min(excess, this.decisions.length));
    const oldCalls = this.calls.splice(0, excess - decisions.length);
    this.setAside(oldCalls, decisions, `history queue full (${this.maxPending} rows waiting for a busy database)`, true);
  }

  /** Calls to the spool (or lost if that fails too), decisions dropped; logged when `loud`. */
  private setAside(callRows: NewCallRow[], decisionRows: NewDecisionRow[], reason: string, loud: boolean): void {
    let spooled = 0;
    let spoolError: string | undefined;
    for (const row of callRows) {
      try {
        if (!this.options.spoolDir) throw new Error("no spool directory");
        spoolRecord(this.options.spoolDir, { call: row, decisions: [] });
        spooled++;
      } catch (error) {
        spoolError = (error as Error).message;
      }
    }
    const lost = callRows.length - spooled;
    this.health.setAside({ spooled, lost, lostDecisions: decisionRows.length });
    if (!loud && lost === 0) return;
    const parts: string[] = [];
    if (spooled) parts.push(`${spooled} calls spooled to ${this.options.spoolDir} for import`);
    if (lost) parts.push(`${lost} calls lost (the spool failed too: ${spoolError})`);
    if (decisionRows.length) parts.push(`${decisionRows.length} decision rows dropped (they are in the decision log)`);
    this.log.error(`${reason}: ${parts.join("; ")}`);
  }
}

function batch(callRows: NewCallRow[], decisionRows: NewDecisionRow[]): BatchPart[] {
  const parts: BatchPart[] = [];
  if (callRows.length) parts.push({ sql: callInsert.sql, rows: callRows.map(callInsert.values) });
  if (decisionRows.length) parts.push({ sql: decisionInsert.sql, rows: decisionRows.map(decisionInsert.values) });
  return parts;
}
