import { allowedOnDeadChannel } from "../../src/agi/session.ts";
import type { LineReader } from "./line-reader.ts";
import type { Step, Transcript } from "./transcript.ts";

/** Asterisk's end of a real pipe or socket. */
export interface AsteriskSide {
  /** Bytes to the AGI. */
  write(data: string): void;
  /** Lines from the AGI; ends when the AGI closes. */
  readonly lines: LineReader;
  /** Deliver a signal to a stdin-mode AGI. */
  signal(signal: "SIGHUP"): void | Promise<void>;
}

export interface Played {
  /** Commands the AGI sent, in order. */
  readonly received: string[];
  /** Recorded commands the AGI rightly did not send: the channel was known dead and they need a live one. */
  readonly skipped: string[];
}

/**
 * Plays Asterisk's side of a transcript: writes the recorded `<` lines (consecutive ones in
 * one chunk, the environment and what follows it included), and expects each `>` command
 * byte for byte. After a hangup the AGI knows about (SIGHUP or HANGUP already delivered), a
 * command a dead channel refuses may be left out by the AGI; its reply is then dropped. At
 * the end the AGI must close its side without sending anything more.
 */
export async function playAsterisk(transcript: Transcript, side: AsteriskSide, timeoutMs = 5000): Promise<Played> {
  const received: string[] = [];
  const skipped: string[] = [];
  const steps = transcript.steps;
  let hungUp = false;
  let i = 0;

  side.write(transcript.env.map((line) => `${line}\n`).join(""));
  while (i < steps.length) {
    const step = steps[i]!;
    if (step.kind === "asterisk") {
      const run = takeWhile(steps, i, (s) => s.kind === "asterisk") as Array<{ line: string }>;
      side.write(run.map((s) => `${s.line}\n`).join(""));
      if (run.some((s) => s.line === "HANGUP")) hungUp = true;
      i += run.length;
      continue;
    }
    if (step.kind === "signal") {
      await side.signal(step.signal);
      hungUp = true;
      i++;
      continue;
    }
    const got = await side.lines.next(timeoutMs, `${transcript.name}: the command "${step.line}"`);
    if (got === step.line) {
      received.push(got);
      i++;
      continue;
    }
    if (!(hungUp && !allowedOnDeadChannel(step.line))) {
      const sent = got === undefined ? "closed the connection" : `sent ${JSON.stringify(got)}`;
      throw new Error(`${transcript.name}: expected ${JSON.stringify(step.line)}, the AGI ${sent}`);
    }
    // The AGI left out a command a dead channel refuses: drop its reply, keep out-of-band lines and signals.
    skipped.push(step.line);
    i++;
    while (i < steps.length && steps[i]!.kind !== "agi") {
      const s = steps[i]!;
      if (s.kind === "signal") await side.signal(s.signal);
      else if (s.kind === "asterisk" && s.line === "HANGUP") side.write("HANGUP\n");
      i++;
    }
    if (got !== undefined) side.lines.unshift(got);
  }
  const extra = await side.lines.closed(timeoutMs);
  if (extra.length) throw new Error(`${transcript.name}: the AGI sent more than the recording: ${JSON.stringify(extra)}`);
  return { received, skipped };
}

function takeWhile(steps: readonly Step[], from: number, keep: (step: Step) => boolean): Step[] {
  const run: Step[] = [];
  for (let i = from; i < steps.length && keep(steps[i]!); i++) run.push(steps[i]!);
  return run;
}
