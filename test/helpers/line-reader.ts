import { LineSplitter } from "../../src/agi/lines.ts";

/**
 * Lines arriving on a socket or pipe, read one at a time by a test. `next()` gives up after
 * a timeout with a message naming what was awaited, so a protocol bug fails the test with
 * a reason instead of hanging it.
 */
export class LineReader {
  private readonly splitter = new LineSplitter();
  private readonly lines: string[] = [];
  private waiter: (() => void) | undefined;
  private ended = false;

  push(chunk: Uint8Array | string): void {
    this.lines.push(...this.splitter.push(chunk));
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  get isEnded(): boolean {
    return this.ended && this.lines.length === 0;
  }

  /** The next line, or undefined once the peer has closed. */
  async next(timeoutMs = 5000, what = "a line"): Promise<string | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (this.lines.length === 0 && !this.ended) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    return this.lines.shift();
  }

  /** Puts a line back to be read again. */
  unshift(line: string): void {
    this.lines.unshift(line);
  }

  /** Resolves when the peer has closed, failing after the timeout. */
  async closed(timeoutMs = 5000): Promise<string[]> {
    const rest: string[] = [];
    for (;;) {
      const line = await this.next(timeoutMs, "the peer to close");
      if (line === undefined) return rest;
      rest.push(line);
    }
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  /** Reads a ReadableStream (a child's stdout) into this reader. */
  static fromStream(stream: ReadableStream<Uint8Array>): LineReader {
    const reader = new LineReader();
    void (async () => {
      try {
        for await (const chunk of stream) reader.push(chunk);
      } finally {
        reader.end();
      }
    })();
    return reader;
  }
}
