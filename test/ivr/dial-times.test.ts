import { expect, test } from "bun:test";
import { join } from "node:path";
import { runHandler } from "../../src/agi/handler.ts";
import { AgiSession } from "../../src/agi/session.ts";
import { SimulatedAsterisk, simulatedEnv } from "../../src/agi/simulator.ts";
import { callJson } from "../../src/history/call-json.ts";
import { getCall } from "../../src/history/queries.ts";
import { insertCall, ivrCallRow } from "../../src/history/record.ts";
import { ivrHandler } from "../../src/ivr/handler.ts";
import type { IvrCall } from "../../src/ivr/run.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { tempHistory } from "../helpers/history.ts";
import { IVR_CONFIG, IVR_FIXTURES, ivrTestConfig } from "../helpers/ivr-replay.ts";
import { tcpSessionPair } from "../helpers/tcp-session.ts";
import { timedAsterisk } from "../helpers/timed-asterisk.ts";
import { loadTranscript, type Transcript } from "../helpers/transcript.ts";

/** The same call on a channel the dialplan answered before AGI(): CHANNEL STATUS 6, no ANSWER. */
function upBeforeTheIvr(transcript: Transcript): Transcript {
  const steps = [...transcript.steps];
  const status = steps.findIndex((s) => s.kind === "agi" && s.line === "CHANNEL STATUS");
  steps.splice(status + 1, 3, { kind: "asterisk", line: "200 result=6" });
  return { ...transcript, steps };
}

/** Replays a transcript with Asterisk taking `took` ms per command; the call as recorded in a real history. */
async function timedCall(file: string, took: Record<string, number | number[]>, edit: (t: Transcript) => Transcript = (t) => t) {
  const pair = await tcpSessionPair();
  const timed = timedAsterisk(pair.asterisk, took);
  const config = ivrTestConfig();
  let call: IvrCall | undefined;
  const handler = ivrHandler(() => ({ config, path: IVR_CONFIG }), (finished) => void (call = finished), undefined, { clock: timed.clock });
  try {
    await Promise.all([playAsterisk(edit(loadTranscript(join(IVR_FIXTURES, file))), timed.side), runHandler(pair.session, () => handler, captureLog().log)]);
  } finally {
    pair.dispose();
  }
  const history = tempHistory();
  const row = getCall(history, insertCall(history, ivrCallRow(call!, config)))!;
  history.close();
  return callJson(row);
}

test("6 s in the menu, then a 2 s Dial: talk 2 s, not the 8 s of ANSWEREDTIME_MS (the caller channel's up time); ring time unknown", async () => {
  // stdin-ext101-answered: the prompt cut at 1.7 s, two digits, the inter-digit timeout (3 s): 6 s
  // after ANSWER, EXEC Dial is sent; it rings and talks 2.27 s; ANSWEREDTIME_MS=8273 counts from ANSWER.
  const row = await timedCall("stdin-ext101-answered.txt", {
    'STREAM FILE custom/welcome-branch "0123456789"': 1700,
    "WAIT FOR DIGIT 3000": [800, 500, 3000],
    "EXEC Dial Local/101@internal/n,20,t": 2273,
  });
  expect(row).toMatchObject({ status: "answered", answered_extension: "101", talk_seconds: 2, wait_seconds: null });
});

test("an unanswered Dial: the wait is how long the Dial took, not DIALEDTIME (the caller channel's age)", async () => {
  const row = await timedCall("stdin-ext512-busy.txt", {
    'STREAM FILE demo-congrats "0123456789"': 1700,
    "WAIT FOR DIGIT 3000": [700, 600, 3000],
    "EXEC Dial Local/512@internal/n,20,t": 4200,
  });
  expect(row).toMatchObject({ status: "busy", wait_seconds: 4, talk_seconds: null });
});

test("a channel answered before the IVR: its up time at Dial is unknown, so the Dial's span on the IVR's clock", async () => {
  // ANSWEREDTIME_MS 3412 would say 3 s; the channel was up for an unknown time before the IVR.
  const row = await timedCall("fastagi-ext1001-answered.txt", { 'STREAM FILE demo-congrats "0123456789"': 1700, "EXEC Dial Local/1001@internal/n,20,t": 1900 }, upBeforeTheIvr);
  expect(row).toMatchObject({ status: "answered", talk_seconds: 2 });
});

test("ivr simulate's Asterisk speaks Asterisk 22: ANSWEREDTIME_MS counts from ANSWER, and the IVR records the Dial's span", async () => {
  const simulation = { did: "0212345678", caller: "+66812345678", press: "1001", result: "answer" as const };
  let session!: AgiSession;
  const asterisk = new SimulatedAsterisk(simulation, (text) => session.receive(text));
  session = new AgiSession(asterisk);
  session.receive(simulatedEnv(simulation, "1795264166.1"));
  let call: IvrCall | undefined;
  const handler = ivrHandler(() => ({ config: ivrTestConfig(), path: IVR_CONFIG }), (finished) => void (call = finished), undefined, { clock: asterisk.clock });
  await runHandler(session, () => handler, captureLog().log);
  // The prompt cut by the first key (1.72 s), three more keys (0.8 s each), then 8 s ringing and 42 s talking.
  const reply = asterisk.conversation[asterisk.conversation.indexOf("> GET VARIABLE ANSWEREDTIME_MS") + 1];
  expect(reply).toBe("< 200 result=1 (54120)");
  expect(call!.outcome).toEqual({ status: "answered", answeredBy: "1001@internal/n", talkSeconds: 50, detail: "ANSWER" });
});
