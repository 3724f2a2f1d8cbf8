import type { AgiChannel } from "../../src/agi/channel.ts";
import { AgiCommandError, AgiHangupError, AgiProtocolError } from "../../src/agi/errors.ts";

/** What one command gave the caller of the channel: a value, or the typed error it threw. */
export type Outcome =
  | { value: unknown }
  | { hangup: string }
  | { commandError: number; lines: number }
  | { protocolError: string };

const unescape = (quoted: string) => quoted.replace(/\\(.)/g, "$1");

/**
 * Runs a recorded command through the channel's typed method that produces it, so a
 * replay also proves the method writes exactly what the recorded AGI wrote. Lines no
 * method produces (deliberately malformed ones) go through channel.command().
 */
export function callFor(channel: AgiChannel, line: string): Promise<unknown> {
  let m: RegExpExecArray | null;
  if (line === "ANSWER") return channel.answer();
  if (line === "CHANNEL STATUS") return channel.channelStatus();
  if ((m = /^STREAM FILE (\S+) "(.*)"$/.exec(line))) return channel.streamFile(m[1]!, unescape(m[2]!));
  if ((m = /^WAIT FOR DIGIT (-?\d+)$/.exec(line))) return channel.waitForDigit(Number(m[1]));
  if ((m = /^GET DATA (\S+) (\d+) (\d+)$/.exec(line))) return channel.getData(m[1]!, Number(m[2]), Number(m[3]));
  if ((m = /^EXEC (\S+) (\S+)$/.exec(line))) return channel.exec(m[1]!, m[2]!);
  if ((m = /^GET VARIABLE (\S+)$/.exec(line))) return channel.getVariable(m[1]!);
  if ((m = /^GET FULL VARIABLE "(.*)"$/.exec(line))) return channel.getFullVariable(unescape(m[1]!));
  if ((m = /^SET VARIABLE (\S+) "(.*)"$/.exec(line))) return channel.setVariable(m[1]!, unescape(m[2]!));
  if ((m = /^VERBOSE "(.*)" (\d)$/.exec(line))) return channel.verbose(unescape(m[1]!), Number(m[2]));
  return channel.command(line);
}

export async function outcomeOf(call: Promise<unknown>): Promise<Outcome> {
  try {
    return { value: await call };
  } catch (error) {
    if (error instanceof AgiHangupError) return { hangup: error.reason };
    if (error instanceof AgiCommandError) return { commandError: error.code, lines: error.lines.length };
    if (error instanceof AgiProtocolError) return { protocolError: error.message };
    throw error;
  }
}

/** Drives the channel through the recorded commands, one at a time, collecting outcomes. */
export async function driveRecorded(channel: AgiChannel, commands: readonly string[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const line of commands) outcomes.push(await outcomeOf(callFor(channel, line)));
  return outcomes;
}
