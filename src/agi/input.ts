import { type AgiEnv, buildEnv, parseEnvLine } from "./env.ts";
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
 * blank line), then replies, with `HANGUP` recognised anywhere as out of band. Pure: no
 * I/O, so it can be fed a recorded session cut at any byte.
 */
export class AgiInputParser {
  private readonly splitter = new LineSplitter();
  private readonly replies = new ReplyAssembler();
  private envLines: Array<[string, string]> | undefined = [];

  /** Throws AgiProtocolError for a line that cannot be part of an environment or is too long. */
  push(chunk: Uint8Array | string): AgiEvent[] {
    const events: AgiEvent[] = [];
    for (const line of this.splitter.push(chunk)) {
      if (line === HANGUP_LINE) {
        events.push({ type: "hangup", line });
      } else if (this.envLines) {
        if (line === "") {
          events.push({ type: "env", env: buildEnv(this.envLines) });
          this.envLines = undefined;
        } else {
          this.envLines.push(parseEnvLine(line));
        }
      } else {
        const reply = this.replies.push(line);
        if (reply === "invalid") events.push({ type: "invalid", line });
        else if (reply !== "partial") events.push({ type: "reply", reply });
      }
    }
    return events;
  }
}
