import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { getCall } from "../../src/history/queries.ts";
import { insertCall, ivrCallRow } from "../../src/history/record.ts";
import { callJson } from "../../src/history/call-json.ts";
import { tempHistory } from "../helpers/history.ts";
import { IVR_FIXTURES, ivrTestConfig, replayIvr } from "../helpers/ivr-replay.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { loadTranscript, type Transcript } from "../helpers/transcript.ts";

const config = { ...ivrTestConfig(), country: "TH" };

/** Replays a menu path and stores the call the way ivr serve does; returns the stored row. */
async function recorded(file: string, edit: (t: Transcript) => Transcript = (t) => t, withConfig: IvrConfig = config) {
  const history = tempHistory();
  let id = 0;
  await replayIvr(edit(loadTranscript(join(IVR_FIXTURES, file))), withConfig, (call, loaded) => {
    id = insertCall(history, ivrCallRow(call, loaded.config));
  });
  const row = getCall(history, id);
  history.close();
  if (!row) throw new Error(`${file}: nothing recorded`);
  return callJson(row);
}

describe("a history row for each way a call ends, from replayed calls", () => {
  test("answered queue call", async () => {
    const row = await recorded("stdin-queue-after-timeout.txt");
    expect(row).toMatchObject({
      uniqueid: "1795264116.3",
      linkedid: "1795264116.2",
      source: "ivr",
      direction: "inbound",
      external_number: "+66812345678",
      external_number_raw: "+66812345678",
      caller_name: "Test Caller",
      did: "0212345678",
      digits: "1",
      route_kind: "queue",
      destination: "10001",
      status: "answered",
      answered_by: null,
      talk_seconds: 2,
      hung_up_at: null,
    });
    expect(Date.parse(row.ended_at!)).toBeGreaterThanOrEqual(Date.parse(row.started_at!));
  });

  test("answered queue call with queue_options c: QUEUESTATUS=CONTINUE is an answer, not a no_answer", async () => {
    // Queue(10001,c): app_queue sets QUEUESTATUS=CONTINUE for a call a member handled.
    const withC = (t: Transcript): Transcript => ({
      ...t,
      steps: t.steps.map((step, i) => {
        if (step.kind === "agi" && step.line === "EXEC Queue 10001") return { ...step, line: "EXEC Queue 10001,c" };
        const previous = t.steps[i - 1];
        if (previous?.kind === "agi" && previous.line === "GET VARIABLE QUEUESTATUS") return { kind: "asterisk", line: "200 result=1 (CONTINUE)" };
        return step;
      }),
    });
    const row = await recorded("stdin-queue-after-timeout.txt", withC, { ...config, default: { ...config.default, queue_options: "c" } });
    expect(row).toMatchObject({ status: "answered", destination: "10001", talk_seconds: 2, detail: "CONTINUE" });
  });

  test("answered queue call with setinterfacevar=yes: the member's extension", async () => {
    expect(await recorded("fastagi-queue-at-once.txt")).toMatchObject({ status: "answered", answered_by: "Local/300@agents/n", answered_extension: "300", destination: "10009" });
  });

  test("answered dial: who, the Dial's span as talk time, ring time unknown; a national number in E.164", async () => {
    expect(await recorded("stdin-ext101-answered.txt")).toMatchObject({
      external_number: "+66812223333",
      external_number_raw: "0812223333",
      caller_name: "Branch Caller",
      did: "0298765432",
      route_kind: "extension",
      destination: "101",
      status: "answered",
      answered_by: "101@internal/n",
      answered_extension: "101",
      talk_seconds: 8,
      wait_seconds: null,
    });
  });

  test("busy", async () => {
    expect(await recorded("stdin-ext512-busy.txt")).toMatchObject({ status: "busy", destination: "512", detail: "BUSY", answered_extension: null });
  });

  test("abandoned in the queue: the wait, and when the caller hung up", async () => {
    const row = await recorded("stdin-queue-abandoned.txt");
    expect(row).toMatchObject({ status: "abandoned", destination: "10009", wait_seconds: 4 });
    expect(row.hung_up_at).not.toBeNull();
  });

  test("abandoned while the extension rang (CANCEL)", async () => {
    expect(await recorded("fastagi-dial-cancel.txt")).toMatchObject({ status: "abandoned", destination: "1002", detail: "CANCEL" });
  });

  test("hung up in the menu", async () => {
    const row = await recorded("stdin-hangup-during-welcome.txt");
    expect(row).toMatchObject({ status: "hungup_in_menu", route_kind: null, digits: "", detail: "sighup" });
    expect(row.hung_up_at).not.toBeNull();
  });

  test("no valid choice: every attempt's input kept", async () => {
    expect(await recorded("stdin-invalid-max-attempts.txt")).toMatchObject({ status: "no_selection", digits: "7,8,55" });
  });
});
