import type { WriteFn } from "./log-writers.ts";

/** Lines waiting for a slow stderr: about 2,000 lines, a few seconds of a busy server's log. */
export const MAX_QUEUED_BYTES = 256 * 1024;
/** At most this much per write call, so one write never holds a huge buffer. */
const MAX_WRITE_BYTES = 64 * 1024;

/**
 * Log lines without ever blocking the caller. A plain write(2) to a pipe nobody reads (or a
 * stalled journald) blocks, and with it every call, so lines go into a bounded queue drained
 * by one non-blocking write at a time (see log-writers.ts). A full queue drops lines and
 * counts them; once the queue has drained, one line says how many were lost.
 */
export class LogSink {
  private queue: string[] = [];
  private queuedBytes = 0;
  private writing: string | Buffer | undefined;
  private unreported = 0;
  private broken = false;
  private scheduled = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** 0: lines go out at the end of the turn; more: at most one write per this many ms (see gatherFor). */
  private gatherMs = 0;
  private idleWaiters: Array<() => void> = [];
  /** Lines dropped because the sink was too slow, since start. */
  dropped = 0;

  private writer: WriteFn | undefined;

  /** `open` is called at the first line, so that importing the logger costs nothing. */
  constructor(
    private readonly open: () => WriteFn,
    private readonly maxQueuedBytes = MAX_QUEUED_BYTES,
  ) {}

  push(line: string): void {
    if (this.broken) return;
    if (this.queuedBytes + line.length > this.maxQueuedBytes) {
      this.dropped++;
      this.unreported++;
      return;
    }
    this.queue.push(line);
    this.queuedBytes += line.length;
    if (this.writing || this.scheduled) return;
    // Written when this turn of the event loop is done, all its lines in one write: the
    // AGI command that usually follows a log line goes out first.
    this.scheduled = true;
    if (this.gatherMs > 0) {
      this.timer = setTimeout(() => this.start(), this.gatherMs);
      this.timer.unref?.();
    } else {
      setImmediate(() => this.start());
    }
  }

  /**
   * A server logging a few lines per call, thousands of calls a second: lines gathered for
   * `ms` go out in one write, instead of a write at every turn of the event loop.
   */
  gatherFor(ms: number): void {
    this.gatherMs = ms;
  }

  private start(): void {
    clearTimeout(this.timer);
    this.scheduled = false;
    if (!this.writing) this.next();
  }

  /** True when everything pushed so far is written. */
  get idle(): boolean {
    return !this.writing && this.queue.length === 0;
  }

  /** Writes what this turn queued now rather than at its end (what the file takes without waiting). */
  writeNow(): void {
    if (this.scheduled) this.start();
  }

  /** Waits until the queue is written, or `timeoutMs` passed (a blocked sink never drains). */
  async flush(timeoutMs: number): Promise<void> {
    this.writeNow();
    if (this.idle) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  private next(): void {
    if (this.queue.length === 0 && this.unreported > 0) {
      this.queue.push(`${new Date().toISOString()} WARN the log output was too slow: ${this.unreported} lines dropped (ivr_log_lines_dropped_total)\n`);
      this.unreported = 0;
    }
    if (this.queue.length === 0) {
      this.writing = undefined;
      for (const resolve of this.idleWaiters.splice(0)) resolve();
      return;
    }
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.length <= MAX_WRITE_BYTES)) bytes += this.queue[count++]!.length;
    const text = count === 1 ? this.queue.shift()! : this.queue.splice(0, count).join("");
    this.queuedBytes -= text.length;
    this.send(text);
  }

  private send(data: string | Buffer): void {
    this.writing = data;
    this.writer ??= this.open();
    this.writer(data, (error, written = 0) => {
      if (error) {
        // EPIPE, EBADF: nowhere left to write. Nothing is queued again.
        this.broken = true;
        this.queue = [];
        this.queuedBytes = 0;
        this.writing = undefined;
        for (const resolve of this.idleWaiters.splice(0)) resolve();
        return;
      }
      const bytes = typeof data === "string" ? Buffer.byteLength(data) : data.length;
      if (written < bytes) this.send((typeof data === "string" ? Buffer.from(data) : data).subarray(written));
      else this.next();
    });
  }
}
