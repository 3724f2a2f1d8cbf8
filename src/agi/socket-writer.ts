import type { Socket } from "bun";
import type { AgiTransport } from "./session.ts";

/** How long a closed session waits for Asterisk to close its side before the socket is cut. */
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Bun's socket.write is unbuffered: under backpressure it writes part of the data and
 * returns how much. This keeps the rest until `drain`, and ends the socket only after
 * everything queued is out. Writing after the peer closed returns false, never throws.
 */
export class SocketWriter implements AgiTransport {
  private pending: Buffer | undefined;
  private ending = false;
  private isClosed = false;
  private closeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly socket: Socket<unknown>) {}

  write(data: string): boolean {
    if (this.ending || this.socket.readyState <= 0) return false;
    if (this.pending) {
      this.pending = Buffer.concat([this.pending, Buffer.from(data)]);
      return true;
    }
    const written = this.socket.write(data);
    if (written < 0) return false;
    const bytes = Buffer.byteLength(data);
    if (written < bytes) this.pending = Buffer.from(data).subarray(written);
    return true;
  }

  /** The session is done with the socket (AgiTransport). */
  close(): void {
    this.end();
  }

  /** Call from the socket's drain handler. */
  drain(): void {
    while (this.pending && this.pending.length > 0) {
      const written = this.socket.write(this.pending);
      if (written <= 0) break;
      this.pending = this.pending.subarray(written);
    }
    if (this.pending?.length === 0) this.pending = undefined;
    if (this.ending && !this.pending) this.finish();
  }

  /** Ends our side once queued bytes are written; cuts the socket if the peer never closes. */
  end(): void {
    if (this.ending) return;
    this.ending = true;
    if (!this.pending) this.finish();
  }

  /** Call from the socket's close handler. */
  closed(): void {
    this.isClosed = true;
    clearTimeout(this.closeTimer);
  }

  private finish(): void {
    this.socket.end();
    // Bun's end() usually closes the socket at once, running the close handler before it
    // returns: a timer made then would never be cleared, and would keep the socket and its
    // session in memory for CLOSE_TIMEOUT_MS.
    if (this.isClosed) return;
    this.closeTimer = setTimeout(() => this.socket.terminate(), CLOSE_TIMEOUT_MS);
    this.closeTimer.unref?.();
  }
}
