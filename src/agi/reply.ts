import { AgiProtocolError } from "./errors.ts";

/**
 * AGI replies as Asterisk 22 writes them (res_agi.c), for example:
 *   200 result=0
 *   200 result=49 endpos=13760              STREAM FILE interrupted by '1'
 *   200 result=-1 endpos=0                  STREAM FILE of a missing file, channel alive
 *   200 result=1 ("Test Caller" <+66812345678>)   the value may contain ")"
 *   200 result= (timeout)                   GET DATA with nothing pressed
 *   200 result=0 (timeout) endpos=800       RECORD FILE
 *   510 Invalid or unknown command
 *   511 Command Not Permitted on a dead channel or intercept routine
 *   520-Invalid command syntax.  Proper usage follows:   ...usage lines...   520 End of proper usage.
 * Out of band, FastAGI also writes `HANGUP` when the caller hangs up.
 */
export interface AgiReply {
  readonly code: number;
  /** The text after `result=`; "" when empty (GET DATA), also for non-200 replies. */
  readonly result: string;
  /** The text in parentheses after the result, if any. */
  readonly data: string | undefined;
  /** `endpos=` of playback commands: samples played. */
  readonly endpos: number | undefined;
  /** The raw lines, all of them for a multi-line reply. */
  readonly lines: readonly string[];
}

export const HANGUP_LINE = "HANGUP";

/**
 * The longest reply block we gather. Asterisk's usage texts are a few hundred bytes; a block
 * whose closing line never comes must not grow without end.
 */
export const MAX_REPLY_BLOCK_BYTES = 64 * 1024;

// The data group is greedy so that a value containing ")" is kept whole; the engine backs
// off to the last ")" that still lets an optional endpos end the line. A value is data
// whatever it holds: `s` lets "." match CR, U+2028 and U+2029 too (a CR inside a variable
// must not turn the reply into garbage).
const SUCCESS = /^200 result=(\S*)(?: \((.*)\))?(?: endpos=(-?\d+))?$/s;
const STATUS = /^(\d{3})(?:( |-)|$)/;

/** Parses a complete single-line reply; undefined when the line is not a reply at all. */
export function parseReply(line: string): AgiReply | undefined {
  const success = SUCCESS.exec(line);
  if (success) {
    return {
      code: 200,
      result: success[1] ?? "",
      data: success[2],
      endpos: success[3] === undefined ? undefined : Number(success[3]),
      lines: [line],
    };
  }
  const status = STATUS.exec(line);
  // A 200 that does not parse, or the opening line of a block, is not a complete reply.
  if (!status || status[1] === "200" || status[2] === "-") return undefined;
  return { code: Number(status[1]), result: "", data: undefined, endpos: undefined, lines: [line] };
}

/**
 * Gathers multi-line replies: `520-...` opens a block that the line starting with `520 `
 * closes (usage text between may hold blank lines). Feed it every line after the
 * environment except out-of-band HANGUP.
 */
export class ReplyAssembler {
  private block: { code: string; lines: string[]; bytes: number } | undefined;

  /**
   * A complete reply, "partial" inside a block, or "invalid" for a line that is not AGI.
   * Throws AgiProtocolError for a block past MAX_REPLY_BLOCK_BYTES.
   */
  push(line: string): AgiReply | "partial" | "invalid" {
    if (this.block) {
      this.block.lines.push(line);
      this.block.bytes += line.length + 1;
      if (this.block.bytes > MAX_REPLY_BLOCK_BYTES) {
        throw new AgiProtocolError(`a ${this.block.code}- reply block longer than ${MAX_REPLY_BLOCK_BYTES} bytes without its closing line`, this.block.lines[0]);
      }
      if (!line.startsWith(`${this.block.code} `)) return "partial";
      const { code, lines } = this.block;
      this.block = undefined;
      return { code: Number(code), result: "", data: undefined, endpos: undefined, lines };
    }
    const opening = /^(\d{3})-/.exec(line);
    if (opening) {
      this.block = { code: opening[1]!, lines: [line], bytes: line.length + 1 };
      return "partial";
    }
    return parseReply(line) ?? "invalid";
  }
}
