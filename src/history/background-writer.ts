import type { BatchOutcome, BatchPart } from "./write-batch.ts";

/** What the write queue asks of its writer thread (write-thread.ts). */
export type ToWriter =
  | { type: "open"; path: string; busyTimeoutMs: number }
  /** The parts as JSON: five times cheaper for this thread than a structured clone of the arrays. */
  | { type: "write"; id: number; parts: string }
  | { type: "close"; id: number };

/**
 * Where the thread's module is. In a compiled binary every bundled module has the binary's
 * own path, and write-thread.ts, an entry point of its own (scripts/build.ts), keeps its
 * path under src/.
 */
const WRITE_THREAD = import.meta.path.startsWith("/$bunfs/") ? new URL("./history/write-thread.ts", import.meta.url) : new URL("./write-thread.ts", import.meta.url);

interface FromWriter {
  id: number;
  outcome: BatchOutcome;
}

/**
 * The main thread's side of the history writer thread: batches go out as messages, their
 * outcomes come back as promises. If the thread dies, what was sent fails (the write queue
 * spools it) and `alive` turns false, so the queue writes on the main thread again.
 */
export class BackgroundWriter {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly waiting = new Map<number, (outcome: BatchOutcome) => void>();
  private stopped: string | undefined;

  /**
   * `busyTimeoutMs`: how long the thread waits for another process's lock (it stalls no call).
   * `onStop` hears why the thread stopped when it was not closed.
   */
  constructor(
    path: string,
    busyTimeoutMs: number,
    private readonly onStop?: (reason: string) => void,
  ) {
    // smol: the thread only runs SQL, a small heap is plenty. ref: the process waits for its
    // last batch at shutdown; close() ends it.
    this.worker = new Worker(WRITE_THREAD, { smol: true, ref: true });
    this.worker.addEventListener("message", ({ data }: MessageEvent<FromWriter>) => {
      const done = this.waiting.get(data.id);
      this.waiting.delete(data.id);
      done?.(data.outcome);
    });
    this.worker.addEventListener("error", (event) => this.stop(`the history writer thread failed: ${event.message}`));
    this.worker.addEventListener("close", () => this.stop("the history writer thread stopped"));
    this.post({ type: "open", path, busyTimeoutMs });
  }

  get alive(): boolean {
    return this.stopped === undefined;
  }

  /** Writes the parts in one transaction on the thread. Never rejects. */
  write(parts: BatchPart[]): Promise<BatchOutcome> {
    const json = JSON.stringify(parts);
    return this.request((id) => ({ type: "write", id, parts: json }));
  }

  /** Closes the thread's connection and ends the thread. */
  async close(): Promise<void> {
    if (this.alive) await this.request((id) => ({ type: "close", id }));
    this.stopped ??= "the history writer thread is closed";
    this.worker.terminate();
  }

  private request(message: (id: number) => ToWriter): Promise<BatchOutcome> {
    if (this.stopped) return Promise.resolve({ state: "failed", message: this.stopped });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.post(message(id));
    });
  }

  private post(message: ToWriter): void {
    try {
      this.worker.postMessage(message);
    } catch (error) {
      this.stop(`the history writer thread cannot be reached: ${(error as Error).message}`);
    }
  }

  private stop(reason: string): void {
    if (this.stopped === undefined) {
      this.stopped = reason;
      this.onStop?.(reason);
    }
    for (const done of this.waiting.values()) done({ state: "failed", message: reason });
    this.waiting.clear();
  }
}
