import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { IVR_FIXTURES, replayIvr } from "../helpers/ivr-replay.ts";
import { agiCommands, loadTranscript, type Transcript } from "../helpers/transcript.ts";

const ivr = (name: string) => loadTranscript(join(IVR_FIXTURES, name));

/** The transcript with one of Asterisk's reply lines replaced. */
function withReply(transcript: Transcript, from: string, to: string): Transcript {
  let replaced = 0;
  const steps = transcript.steps.map((s) => (s.kind === "asterisk" && s.line === from ? (replaced++, { ...s, line: to }) : s));
  if (replaced !== 1) throw new Error(`"${from}" is not one reply of ${transcript.name}`);
  return { ...transcript, steps };
}

/** The environment with the caller name replaced by `lines`, as Asterisk writes a name holding line breaks. */
function withCallerName(transcript: Transcript, lines: string[]): Transcript {
  const env = transcript.env.flatMap((line) => (line.startsWith("agi_calleridname: ") ? [`agi_calleridname: ${lines[0]}`, ...lines.slice(1)] : [line]));
  return { ...transcript, env };
}

describe("values are data, whatever characters they hold", () => {
  test.each(["\r", "\u2028", "\u2029"])("a %j inside a GET VARIABLE value: the call goes on and every variable is read", async (odd) => {
    const transcript = withReply(ivr("fastagi-ext1001-answered.txt"), "200 result=1 (1001@internal/n)", `200 result=1 (1001@${odd}internal/n)`);
    const { call, played } = await replayIvr(transcript);
    expect(played.received.at(-1)).toBe("GET VARIABLE CHANNEL(linkedid)");
    expect(call?.outcome).toMatchObject({ status: "answered", answeredBy: `1001@${odd}internal/n`, talkSeconds: 3 });
    expect(call?.linkedid).toBe("1795264167.34");
  });

  test("a caller name with line breaks (even HANGUP or an agi_ key inside it) is served and kept whole", async () => {
    const name = ["Anna", "Smith: Jr", "HANGUP", "agi_callerid: 666"];
    const transcript = withCallerName(ivr("fastagi-ext1001-answered.txt"), name);
    const { call, played, outcome } = await replayIvr(transcript);
    expect(outcome).toBe("done");
    expect(played.received).toEqual(agiCommands(transcript));
    expect(call).toMatchObject({ caller: "+66812345678", callerName: name.join("\n"), outcome: { status: "answered" } });
  });
});
