import { type AgiEnv, buildEnv } from "./env.ts";
import { AgiProtocolError } from "./errors.ts";

/**
 * Bounds on one environment. Asterisk 22 writes about 25 lines (plus one per AGI() argument,
 * at most 127) of well under 4 KiB; anything far beyond is not Asterisk, and without a bound a
 * peer that never sends the blank line could fill the memory.
 */
export const MAX_ENV_LINES = 256;
export const MAX_ENV_BYTES = 64 * 1024;

/** A key line as Asterisk writes it: `agi_<key>: <value>`, or `agi_<key>:` when a proxy ate the space. */
const KEY_LINE = /^(agi_[A-Za-z0-9_]+):(?: (.*))?$/s;

/**
 * Keys res_agi writes before agi_calleridname (agi_network and agi_network_script come first
 * over FastAGI). A caller name is the one value a caller controls that may hold a line break;
 * once one of these keys has been read, a second line naming it can only be part of such a
 * value, so it never replaces the script, the uniqueid or the caller number. A repeat of any
 * other key replaces the earlier line: Asterisk writes those after the name, so its own line
 * comes last.
 */
const WRITTEN_BEFORE_THE_NAME = new Set(
  ["network", "network_script", "request", "channel", "language", "type", "uniqueid", "version", "callerid", "calleridname"].map((key) => `agi_${key}`),
);

/**
 * The environment's lines up to the blank line. Asterisk writes values unescaped, so a value
 * holding a line break (a caller name `a\nb`) arrives as two lines: a line that is not a new
 * `agi_<key>: ` line continues the previous value, as data. Inside the environment this
 * includes `HANGUP`: res_agi writes the whole environment before it reports anything.
 */
export class EnvReader {
  private readonly entries: Array<[string, string]> = [];
  private readonly seen = new Set<string>();
  private lines = 0;
  private bytes = 0;

  /** Throws AgiProtocolError past the bounds, or for a first line that is not a key line. */
  push(line: string): void {
    this.lines++;
    this.bytes += line.length + 1;
    if (this.lines > MAX_ENV_LINES) throw new AgiProtocolError(`AGI environment longer than ${MAX_ENV_LINES} lines`, line);
    if (this.bytes > MAX_ENV_BYTES) throw new AgiProtocolError(`AGI environment larger than ${MAX_ENV_BYTES} bytes`, line);
    const key = KEY_LINE.exec(line);
    if (key && !(this.seen.has(key[1]!) && WRITTEN_BEFORE_THE_NAME.has(key[1]!))) {
      this.entries.push([key[1]!, key[2] ?? ""]);
      this.seen.add(key[1]!);
      return;
    }
    const last = this.entries.at(-1);
    if (!last) throw new AgiProtocolError("not an AGI environment line", line);
    last[1] += `\n${line}`;
  }

  finish(): AgiEnv {
    return buildEnv(this.entries);
  }
}
