import { AgiProtocolError } from "./errors.ts";

/**
 * A line longer than this is not AGI (Asterisk's longest lines are GET VARIABLE values,
 * truncated at 1023 characters, and usage text). Refusing it bounds memory when a peer
 * sends garbage without newlines.
 */
export const MAX_LINE_LENGTH = 64 * 1024;

const STREAM = { stream: true } as const;

/**
 * Bytes to lines, correct for any chunking. Asterisk ends AGI lines with "\n"; a "\r"
 * before it is dropped so that a peer speaking CRLF is still understood. UTF-8 characters
 * cut between chunks are kept whole by the streaming decoder.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder();
  private partial = "";
  /**
   * Set when a line, complete or not, passed MAX_LINE_LENGTH: push() returned the lines before
   * it and returns nothing from then on.
   */
  error: AgiProtocolError | undefined;

  push(chunk: Uint8Array | string): string[] {
    if (this.error) return [];
    const text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, STREAM);
    const lines: string[] = [];
    let start = 0;
    let end = text.indexOf("\n");
    while (end !== -1) {
      let line = text.slice(start, end);
      if (this.partial !== "") {
        line = this.partial + line;
        this.partial = "";
      }
      if (this.tooLong(line)) return lines;
      lines.push(stripCr(line));
      start = end + 1;
      end = text.indexOf("\n", start);
    }
    this.partial += text.slice(start);
    if (this.tooLong(this.partial)) this.partial = "";
    return lines;
  }

  /** Text received after the last line end: at end of input, an incomplete line. */
  get pending(): string {
    return this.partial;
  }

  private tooLong(line: string): boolean {
    if (line.length <= MAX_LINE_LENGTH) return false;
    this.error = new AgiProtocolError(`line longer than ${MAX_LINE_LENGTH} characters`, line);
    return true;
  }
}

function stripCr(line: string): string {
  return line.endsWith("\r") ? line.slice(0, -1) : line;
}
