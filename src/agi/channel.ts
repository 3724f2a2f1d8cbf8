import type { AgiEnv } from "./env.ts";
import { AgiCommandError, AgiHangupError, type HangupReason } from "./errors.ts";
import { arg, quoted, word } from "./quote.ts";
import type { AgiReply } from "./reply.ts";
import type { AgiSession } from "./session.ts";

export interface PlaybackResult {
  /** The escape digit that interrupted playback, or null. */
  readonly digit: string | null;
  /** Samples played (endpos). */
  readonly endpos: number;
  /**
   * False when Asterisk answered -1: a missing or unreadable file on a live channel
   * (`result=-1 endpos=0`), or a hangup that has not been signalled yet.
   */
  readonly played: boolean;
}

export interface GetDataResult {
  readonly digits: string;
  /** Input ended by the timeout rather than by max digits or `#`. */
  readonly timedOut: boolean;
}

/** CHANNEL STATUS 6: the line is up (answered). */
export const CHANNEL_UP = 6;

/**
 * The AGI commands the product uses, typed. The same object runs over stdin/stdout, a
 * FastAGI socket and the simulator, because all it needs is an AgiSession.
 */
export class AgiChannel {
  constructor(
    private readonly session: AgiSession,
    readonly env: AgiEnv,
  ) {}

  get hungUp(): boolean {
    return this.session.hungUp;
  }

  /** Aborted when the session ends: pass it to anything slow the handler awaits. */
  get signal(): AbortSignal {
    return this.session.signal;
  }

  onHangup(listener: (reason: HangupReason) => void): void {
    this.session.onHangup(listener);
  }

  /**
   * Ends the AGI session now: Asterisk continues the dialplan as soon as it sees the close,
   * so work that no longer needs the channel (writing the call record) can follow it.
   */
  close(): void {
    this.session.close("the script is done with the channel");
  }

  /** Refuses the call before any command: the dialplan continues with AGISTATUS=FAILURE. */
  fail(reason: string): void {
    this.session.fail(reason);
  }

  /** Sends a raw command line; prefer the typed methods. */
  command(line: string): Promise<AgiReply> {
    return this.session.send(line);
  }

  async answer(): Promise<void> {
    const reply = await this.command("ANSWER");
    if (reply.result === "-1") throw new AgiCommandError("ANSWER", 200, reply.lines, "answer failed");
  }

  /** STREAM FILE: plays `file` (no extension), interruptible by any of `escapeDigits`. */
  async streamFile(file: string, escapeDigits = "", offset?: number): Promise<PlaybackResult> {
    const offsetArg = offset === undefined ? "" : ` ${Math.trunc(offset)}`;
    const reply = await this.command(`STREAM FILE ${arg(file)} ${quoted(escapeDigits)}${offsetArg}`);
    const code = Number(reply.result);
    const endpos = reply.endpos ?? 0;
    if (code === -1) {
      if (this.hungUp) throw new AgiHangupError(this.session.hangupReason ?? "result", `STREAM FILE ${file}`, reply.lines);
      return { digit: null, endpos, played: false };
    }
    return { digit: code > 0 ? String.fromCharCode(code) : null, endpos, played: true };
  }

  /** WAIT FOR DIGIT: the digit pressed, or null when `timeoutMs` passes (-1 waits forever). */
  async waitForDigit(timeoutMs: number): Promise<string | null> {
    const command = `WAIT FOR DIGIT ${Math.trunc(timeoutMs)}`;
    const reply = await this.command(command);
    const code = Number(reply.result);
    if (code === -1) this.hangupFromResult(command, reply);
    return code > 0 ? String.fromCharCode(code) : null;
  }

  /** GET DATA: plays `file` and collects digits; the reply carries the digits themselves, not codes. */
  async getData(file: string, timeoutMs?: number, maxDigits?: number): Promise<GetDataResult> {
    let command = `GET DATA ${arg(file)}`;
    if (timeoutMs !== undefined) command += ` ${Math.trunc(timeoutMs)}`;
    if (maxDigits !== undefined) command += ` ${Math.trunc(maxDigits)}`;
    const reply = await this.command(command);
    if (reply.result === "-1") this.hangupFromResult(command, reply);
    return { digits: reply.result, timedOut: reply.data === "timeout" };
  }

  /**
   * EXEC: runs a dialplan application and returns what it returned. Asterisk passes only
   * one options argument to the application, so `args` are joined with "," into it.
   * Note `EXEC Dial` returns -1 after any answered call, not only on hangup: read DIALSTATUS.
   */
  async exec(application: string, ...args: string[]): Promise<number> {
    const app = word(application, "application name");
    const command = args.length ? `EXEC ${app} ${arg(args.join(","))}` : `EXEC ${app}`;
    const reply = await this.command(command);
    if (reply.result === "-2") {
      throw new AgiCommandError(command, 200, reply.lines, `application ${app} does not exist in Asterisk`);
    }
    return Number(reply.result);
  }

  /** GET VARIABLE: the value, "" when set but empty, undefined when unset. Works after hangup. */
  async getVariable(name: string): Promise<string | undefined> {
    const reply = await this.command(`GET VARIABLE ${word(name, "variable name")}`);
    return reply.result === "1" ? (reply.data ?? "") : undefined;
  }

  /** GET FULL VARIABLE: evaluates an expression such as `${CALLERID(all)}`; not truncated at 1023. */
  async getFullVariable(expression: string, channel?: string): Promise<string | undefined> {
    let command = `GET FULL VARIABLE ${quoted(expression)}`;
    if (channel !== undefined) command += ` ${arg(channel)}`;
    const reply = await this.command(command);
    return reply.result === "1" ? (reply.data ?? "") : undefined;
  }

  /** SET VARIABLE: the value is always quoted (one value token); CR/LF are refused before sending. */
  async setVariable(name: string, value: string): Promise<void> {
    await this.command(`SET VARIABLE ${word(name, "variable name")} ${quoted(value)}`);
  }

  /**
   * VERBOSE: a message on the Asterisk console. Logging must never break a call, so this
   * never throws: line breaks become spaces and a failure (hung up, closed) returns false.
   */
  async verbose(message: string, level = 1): Promise<boolean> {
    try {
      await this.command(`VERBOSE ${quoted(message.replace(/[\r\n\0]+/g, " "))} ${level}`);
      return true;
    } catch {
      return false;
    }
  }

  /** CHANNEL STATUS: 6 means up; see CHANNEL_UP. */
  async channelStatus(): Promise<number> {
    return Number((await this.command("CHANNEL STATUS")).result);
  }

  /** HANGUP: a channel that is already gone is left alone. */
  async hangup(channel?: string): Promise<void> {
    if (this.hungUp && channel === undefined) return;
    await this.command(channel === undefined ? "HANGUP" : `HANGUP ${arg(channel)}`);
  }

  /** Where the dialplan continues when the AGI ends. */
  async setContext(context: string): Promise<void> {
    await this.command(`SET CONTEXT ${word(context, "context")}`);
  }

  async setExtension(extension: string): Promise<void> {
    await this.command(`SET EXTENSION ${word(extension, "extension")}`);
  }

  async setPriority(priority: string | number): Promise<void> {
    await this.command(`SET PRIORITY ${word(String(priority), "priority")}`);
  }

  async noop(): Promise<void> {
    await this.command("NOOP");
  }

  /** A -1 result of a command whose -1 means hangup (WAIT FOR DIGIT, GET DATA). */
  private hangupFromResult(command: string, reply: AgiReply): never {
    this.session.markHungUp("result");
    throw new AgiHangupError(this.session.hangupReason ?? "result", command, reply.lines);
  }
}
