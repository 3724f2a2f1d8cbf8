import { EnvReader } from "./env-reader.ts";
import type { AgiEnv } from "./env.ts";
import { AgiProtocolError } from "./errors.ts";
import { LineSplitter } from "./lines.ts";
import { type AgiReply, HANGUP_LINE, ReplyAssembler } from "./reply.ts";

/** What Asterisk said, in order. */
export type AgiEvent =
  | { readonly type: "env"; readonly env: AgiEnv }
  | { readonly type: "reply"; readonly reply: AgiReply }
  | { readonly type: "hangup"; readonly line: string }
  | { readonly type: "invalid"; readonly line: string }
  /** Input that cannot be AGI or is past a bound; nothing is parsed after it. */
  | { readonly type: "error"; readonly error: AgiProtocolError };

/**
 * Everything Asterisk writes to an AGI, from bytes to events: the environment (up to the
 * blank line), then replies, with `HANGUP` recognised as out of band. Pure: no I/O, so it
 * can be fed a recorded session cut at any byte. Every buffer it keeps is bounded (a line,
 * the environment, one reply block).
 */
export class AgiInputParser {
  private readonly splitter = new LineSplitter();
  private readonly replies = new ReplyAssembler();
  private env: EnvReader | undefined = new EnvReader();
  private failed = false;

  /** The events in this chunk, in order; input that is not AGI ends them with an "error" event. */
  push(chunk: Uint8Array | string): AgiEvent[] {
    if (this.failed) return [];
    const events: AgiEvent[] = [];
    try {
      this.parseLines(this.splitter.push(chunk), events);
      if (this.splitter.error) throw this.splitter.error;
    } catch (error) {
      if (!(error instanceof AgiProtocolError)) throw error;
      this.failed = true;
      events.push({ type: "error", error });
    }
    return events;
  }

  private parseLines(lines: string[], events: AgiEvent[]): void {
    for (const line of lines) {
      if (this.env) {
        if (line === "") {
          events.push({ type: "env", env: this.env.finish() });
          this.env = undefined;
        } else {
          this.env.push(line);
        }
      } else if (line === HANGUP_LINE) {
        events.push({ type: "hangup", line });
      } else {
        const reply = this.replies.push(line);
        if (reply === "invalid") events.push({ type: "invalid", line });
        else if (reply !== "partial") events.push({ type: "reply", reply });
      }
    }
  }
}
