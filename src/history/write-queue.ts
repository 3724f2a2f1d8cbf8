import type { Logger } from "../log.ts";
import { type History, isBusyError } from "./db.ts";
import { perDatabase, prepareInsert } from "./prepared.ts";
import { calls, type NewCallRow, type NewDecisionRow, smartDecisions } from "./schema.ts";
import { spoolRecord } from "./spool.ts";
import { WriteHealth } from "./write-health.ts";

const MAX_RETRY_MS = 1000;

/** One row per statement run, in one transaction: the same SQL every time, prepared once. */
const statements = perDatabase((history) => ({
  // A record imported from the spool meanwhile is not written twice (record_key).
  call: prepareInsert(history, calls, "ON CONFLICT (record_key) DO NOTHING"),
  decision: prepareInsert(history, smartDecisions),
}));

export interface WriteQueueOptions {
  flushMs?: number;
  /** Rows kept in memory while the database is busy; past it the oldest calls go to the spool. */
  maxPending?: number;
  /** Where call records go when the database cannot take them (see spool.ts); none: they are lost. */
  spoolDir?: string;
  health?: WriteHealth;
  /** Calls just committed (Smart Redirect drops what it cached about their numbers). */
  onCallsWritten?: (rows: readonly NewCallRow[]) => void;
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
      const { call, decision } = statements(this.history);
      this.history.sqlite.transaction(() => {
        for (const row of callRows) call.statement.run(...call.values(row));
        for (const row of decisionRows) decision.statement.run(...decision.values(row));
      })();
    } catch (error) {
      if (isBusyError(error)) {
        if (this.health.busy() !== "busy") this.log.warn("history busy (another process is writing); keeping rows to retry");
        this.calls = callRows.concat(this.calls);
        this.decisions = decisionRows.concat(this.decisions);
        this.retryMs = Math.min(MAX_RETRY_MS, (this.retryMs ?? this.flushMs) * 2);
        this.schedule();
      } else {
        const first = this.health.failed(error) !== "failing";
        this.setAside(callRows, decisionRows, `history write failed: ${(error as Error).message}`, first);
      }
      return 0;
    }
    this.retryMs = undefined;
    const { since } = this.health.current();
    if (this.health.wrote() !== "ok") this.log.info(`history writable again after ${Date.now() - (since ?? Date.now())} ms`);
    if (callRows.length) this.options.onCallsWritten?.(callRows);
    return callRows.length + decisionRows.length;
  }

  /** At shutdown: writes what it can, spools what the database would not take. */
  close(): void {
    this.flush();
    if (this.pending) this.setAside(this.calls.splice(0), this.decisions.splice(0), "history busy at shutdown", true);
  }

  private schedule(): void {
    this.trim();
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.retryMs ?? this.flushMs);
      this.timer.unref?.();
    }
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
