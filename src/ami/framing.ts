import { AmiMessage } from "./message.ts";

/**
 * Bounds on what a peer may make us hold. Asterisk itself refuses action lines over 1024
 * bytes and keeps 128 headers; what it writes to us is larger (a long AppData, many
 * ChanVariable lines), so these allow far more than that and refuse only garbage.
 */
export interface FramingLimits {
  /** Characters in one line. */
  maxLineLength: number;
  /** Headers in one message. */
  maxHeaders: number;
  /** Body lines of one `Response: Follows` message. */
  maxBodyLines: number;
}

export const DEFAULT_LIMITS: FramingLimits = { maxLineLength: 16 * 1024, maxHeaders: 1024, maxBodyLines: 100_000 };

export type Framed =
  /** `Asterisk Call Manager/11.0.0` (Asterisk 22's AMI version), the first line of a session. */
  | { kind: "banner"; version: string }
  | { kind: "message"; message: AmiMessage }
  /** A message broken by a limit: it was dropped whole and reading went on after it. */
  | { kind: "refused"; reason: string; sample: string };

const BANNER = /^Asterisk Call Manager\/(\S+)/;
/** The old `Command` output (Response: Follows) ends with this line, then a blank line. */
const END_COMMAND = "--END COMMAND--";
/** Headers that still precede a Follows body. */
const FOLLOWS_HEADER = /^(Privilege|ActionID|Message):/i;

type Mode = "headers" | "follows-headers" | "follows-body" | "follows-end" | "discard";

/**
 * Bytes to AMI messages, correct for any chunking: lines end in CRLF or a bare LF (a "\r"
 * before "\n" is dropped), a blank line ends a message, the banner is one line with no blank
 * line after it. A `Response: Follows` message keeps its body lines, blank ones included,
 * up to `--END COMMAND--`. Pure: no I/O, no clock.
 */
export class AmiFramer {
  private readonly decoder = new TextDecoder();
  private partial = "";
  private fields: string[] = [];
  private body: string[] = [];
  private mode: Mode = "headers";
  private discarding = false;
  private expectBanner: boolean;
  private readonly limits: FramingLimits;

  /** `banner: false` for the other direction (actions a server reads), which has none. */
  constructor(options: { banner?: boolean; limits?: Partial<FramingLimits> } = {}) {
    this.expectBanner = options.banner ?? true;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
  }

  push(chunk: Uint8Array | string, out: Framed[] = []): Framed[] {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.partial) {
      text = this.partial + text;
      this.partial = "";
    }
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (this.mode === "headers" && !this.discarding && !this.expectBanner) {
        // The common case, without building the line: a header, or the blank line ending a message.
        if (end === start) {
          if (this.fields.length || this.body.length) this.emit(out);
        } else {
          const colon = text.indexOf(":", start);
          if (colon > start && colon < end) this.field(text.slice(start, colon), text.charCodeAt(colon + 1) === 32 ? text.slice(colon + 2, end) : text.slice(colon + 1, end), out);
          else this.body.push(text.slice(start, end));
        }
      } else {
        this.line(text.slice(start, end), out);
      }
      start = nl + 1;
    }
    if (start < text.length) {
      if (this.discarding) return out; // the rest of an over-long line: not kept
      this.partial = start === 0 ? text : text.slice(start);
      if (this.partial.length > this.limits.maxLineLength) {
        this.refuse(`a line longer than ${this.limits.maxLineLength} characters`, this.partial, out);
        this.partial = "";
        this.discarding = true;
      }
    }
    return out;
  }

  /** True when the input so far ended inside a message (at disconnect: a partial message, discarded). */
  get midMessage(): boolean {
    return this.partial !== "" || this.fields.length > 0 || this.body.length > 0 || this.mode === "discard";
  }

  private line(raw: string, out: Framed[]): void {
    if (this.discarding) {
      // The end of a line already refused: what follows it is readable again, but the
      // message it was in is incomplete and is dropped up to its blank line.
      this.discarding = false;
      this.mode = "discard";
      return;
    }
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (this.expectBanner) {
      this.expectBanner = false;
      const banner = BANNER.exec(line);
      if (banner) {
        out.push({ kind: "banner", version: banner[1]! });
        return;
      }
    }
    switch (this.mode) {
      case "discard":
        if (line === "") this.reset();
        return;
      case "follows-body":
        if (line === END_COMMAND || line.endsWith(END_COMMAND)) {
          const last = line.slice(0, -END_COMMAND.length);
          if (last) this.body.push(last);
          this.mode = "follows-end";
        } else if (this.body.length >= this.limits.maxBodyLines) {
          this.refuse(`a command output longer than ${this.limits.maxBodyLines} lines`, line, out);
          this.mode = "discard";
        } else {
          this.body.push(line);
        }
        return;
      case "follows-end":
        if (line === "") this.emit(out);
        else this.body.push(line);
        return;
      case "follows-headers":
        if (line === "") {
          this.emit(out);
        } else if (FOLLOWS_HEADER.test(line)) {
          this.header(line, out);
        } else {
          this.mode = "follows-body";
          this.line(raw, out);
        }
        return;
      case "headers":
        if (line === "") {
          if (this.fields.length || this.body.length) this.emit(out);
          return;
        }
        this.header(line, out);
        return;
    }
  }

  private header(line: string, out: Framed[]): void {
    const colon = line.indexOf(":");
    if (colon <= 0) {
      this.body.push(line);
      return;
    }
    this.field(line.slice(0, colon), line.charCodeAt(colon + 1) === 32 ? line.slice(colon + 2) : line.slice(colon + 1), out);
  }

  private field(key: string, value: string, out: Framed[]): void {
    if (this.fields.length >= 2 * this.limits.maxHeaders) {
      this.refuse(`a message with more than ${this.limits.maxHeaders} headers`, `${key}: ${value}`, out);
      this.mode = "discard";
      return;
    }
    this.fields.push(key, value);
    if (this.mode === "headers" && value === "Follows" && key.toLowerCase() === "response") this.mode = "follows-headers";
  }

  private emit(out: Framed[]): void {
    out.push({ kind: "message", message: new AmiMessage(this.fields, this.body.length ? this.body : undefined) });
    this.reset();
  }

  private reset(): void {
    this.fields = [];
    this.body = [];
    this.mode = "headers";
  }

  private refuse(reason: string, sample: string, out: Framed[]): void {
    out.push({ kind: "refused", reason, sample: sample.slice(0, 120) });
    this.fields = [];
    this.body = [];
  }
}
