import { isBusyError } from "../history/db.ts";
import type { Logger } from "../log.ts";

/**
 * Writes to the dial queue that must not be lost: ivr serve opens the history with a short
 * busy timeout (a per-call process may hold the write lock), so a write that meets a locked
 * database is kept and retried, in order, before the dialer does anything else.
 */
export class PendingWrites {
  private pending: Array<() => void> = [];

  constructor(private readonly log: Logger) {}

  get size(): number {
    return this.pending.length;
  }

  /** Writes now, or (behind earlier ones, or when the database is locked) later. */
  write(write: () => void): void {
    if (this.pending.length) {
      this.pending.push(write);
      return;
    }
    try {
      write();
    } catch (error) {
      if (!isBusyError(error)) throw error;
      this.log.warn("outbound: the database is locked by another process; the dial's change is kept to retry");
      this.pending.push(write);
    }
  }

  /** Retries what is kept; false while the database stays locked. */
  flush(): boolean {
    while (this.pending.length) {
      try {
        this.pending[0]!();
      } catch (error) {
        if (isBusyError(error)) return false;
        this.log.error(`outbound: a kept change failed: ${(error as Error).message}`);
      }
      this.pending.shift();
    }
    return true;
  }
}
