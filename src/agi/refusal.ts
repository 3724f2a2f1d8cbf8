import type { SocketWriter } from "./socket-writer.ts";

/** How long a refused connection may take to finish sending its environment. */
export const REFUSAL_DRAIN_MS = 2000;
/** What a refused connection may send before it is cut: more than any real environment. */
const REFUSAL_DRAIN_BYTES = 64 * 1024;

/**
 * A FastAGI connection we will not serve (over max_sessions, shutting down). `FAILURE` goes
 * out first: res_agi reads it as the script's failure and the dialplan continues with
 * AGISTATUS=FAILURE. Asterisk writes its whole environment right after connecting, so we read
 * and discard it before closing: closing a socket with unread data sends an RST, which can
 * make the peer's kernel drop the FAILURE it has not read yet. The close comes at the
 * environment's blank line, when Asterisk closes, or after REFUSAL_DRAIN_MS, whichever is first.
 */
export class Refusal {
  private bytes = 0;
  private lastByte = -1;
  private done = false;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(private readonly writer: SocketWriter) {
    writer.write("FAILURE\n");
    this.timer = setTimeout(() => this.finish(), REFUSAL_DRAIN_MS);
    this.timer.unref?.();
  }

  receive(chunk: Uint8Array): void {
    if (this.done) return;
    this.bytes += chunk.length;
    for (const byte of chunk) {
      if (byte === 13) continue; // CR of a CRLF peer
      if (byte === 10 && this.lastByte === 10) return this.finish();
      this.lastByte = byte;
    }
    if (this.bytes > REFUSAL_DRAIN_BYTES) this.finish();
  }

  /** True once our side is closed (or the peer's). */
  get finished(): boolean {
    return this.done;
  }

  /** The peer closed: nothing left to wait for. */
  closed(): void {
    this.done = true;
    clearTimeout(this.timer);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.writer.end();
  }
}
