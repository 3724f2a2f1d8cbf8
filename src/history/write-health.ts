/** Whether ivr serve's writes to the history are getting through, for /health and /metrics. */
export type WriteState = "ok" | "busy" | "failing";

export interface WriteHealthReport {
  /** ok: the last write went through; busy: another process holds the lock; failing: writes fail (disk full, read-only...). */
  state: WriteState;
  /** When the current busy or failing spell began. */
  since: number | undefined;
  lastError: { at: number; message: string } | undefined;
  lastWriteAt: number | undefined;
  /** Call records that could not be written when they were due (since start). */
  failedRecords: number;
  /** Of those, kept in the spool for a later import. */
  spooledRecords: number;
  /** Of those, lost: the spool could not take them either. */
  lostRecords: number;
  /** Smart Redirect decision rows that could not be written (they are in the decision log file). */
  lostDecisions: number;
}

/** The write health with what is waiting: in memory (the write queue) and on disk (the spool). */
export interface HistoryWriteStatus extends WriteHealthReport {
  pendingRecords: number;
  spooledFiles: number;
  spoolDir: string;
}

/** Counts and the state of the write path; the write queue and the spool importer report to it. */
export class WriteHealth {
  private report: WriteHealthReport = {
    state: "ok",
    since: undefined,
    lastError: undefined,
    lastWriteAt: undefined,
    failedRecords: 0,
    spooledRecords: 0,
    lostRecords: 0,
    lostDecisions: 0,
  };

  constructor(private readonly clock: () => number = Date.now) {}

  /** Returns the state before: a caller logs the end of a spell once. */
  wrote(): WriteState {
    const before = this.report.state;
    this.report.state = "ok";
    this.report.since = undefined;
    this.report.lastWriteAt = this.clock();
    return before;
  }

  /** Returns the state before: a caller logs the start of a spell once. */
  busy(): WriteState {
    return this.enter("busy");
  }

  failed(error: unknown): WriteState {
    this.report.lastError = { at: this.clock(), message: error instanceof Error ? error.message : String(error) };
    return this.enter("failing");
  }

  setAside(counts: { spooled: number; lost: number; lostDecisions?: number }): void {
    this.report.failedRecords += counts.spooled + counts.lost;
    this.report.spooledRecords += counts.spooled;
    this.report.lostRecords += counts.lost;
    this.report.lostDecisions += counts.lostDecisions ?? 0;
  }

  current(): WriteHealthReport {
    return { ...this.report };
  }

  private enter(state: WriteState): WriteState {
    const before = this.report.state;
    if (before !== state) {
      this.report.state = state;
      this.report.since = this.clock();
    }
    return before;
  }
}
