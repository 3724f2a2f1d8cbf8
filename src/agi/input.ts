import { EnvReader } from "./env-reader.ts";
import type { AgiEnv } from "./env.ts";
import { LineSplitter } from "./lines.ts";
import { type AgiReply, HANGUP_LINE, ReplyAssembler } from "./reply.ts";

/** What Asterisk said, in order. */
export type AgiEvent =
  | { readonly type: "env"; readonly env: AgiEnv }
  | { readonly type: "reply"; readonly reply: AgiReply }
  | { readonly type: "hangup"; readonly line: string }
  | { readonly type: "invalid"; readonly line: string };

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

  /** Throws AgiProtocolError for input that cannot be AGI or is past a bound. */
  push(chunk: Uint8Array | string): AgiEvent[] {
    const events: AgiEvent[] = [];
    for (const line of this.splitter.push(chunk)) {
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
    return events;
  }
}
