import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { runHandler } from "../../src/agi/handler.ts";
import { loadConfigFile } from "../../src/config/load.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { ivrHandler } from "../../src/ivr/handler.ts";
import type { IvrCall } from "../../src/ivr/run.ts";
import { configHours, type HoursSource } from "../../src/schedules/hours.ts";
import type { Override } from "../../src/schedules/overrides.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { at } from "../helpers/schedules.ts";
import { tcpSessionPair } from "../helpers/tcp-session.ts";
import { loadTranscript } from "../helpers/transcript.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "ivr", "schedules");
const CONFIG = join(FIXTURES, "config.yaml");
const config = loadConfigFile(CONFIG).config;

const CHRISTMAS = at("2026-12-25T10:00Z");
const MONDAY_11 = at("2026-12-28T10:00Z");

/** The schedules as at `instant`, with an override if given. */
const hoursAt = (instant: number, override?: Override): HoursSource => (name) => configHours(config, () => override)(name, instant);

/** The IVR over a real TCP connection against the fake Asterisk playing `file`, its schedules at a given moment. */
async function replay(file: string, hours: HoursSource, cfg: IvrConfig = config) {
  const pair = await tcpSessionPair();
  const { log, text } = captureLog();
  let call: IvrCall | undefined;
  try {
    const handler = ivrHandler(() => ({ config: cfg, path: CONFIG }), (finished) => void (call = finished), undefined, { hours: () => hours });
    const [played, outcome] = await Promise.all([playAsterisk(loadTranscript(join(FIXTURES, file)), pair.asterisk), runHandler(pair.session, () => handler, log)]);
    return { call: call!, played, outcome, log: text() };
  } finally {
    pair.dispose();
  }
}

describe("a DID with a schedule, replayed in the recorded dialect", () => {
  test("closed, then hangup: the closed message, HANGUP, recorded as closed", async () => {
    const { call, played, outcome, log } = await replay("stdin-closed-hangup.txt", hoursAt(CHRISTMAS));
    expect(outcome).not.toBe("error");
    expect(played.skipped).toEqual([]);
    expect(call.route).toBeUndefined();
    expect(call.outcome).toEqual({ status: "closed", detail: "closed: schedule office, holiday 12-25" });
    expect(call.answeredAt).toBeDefined();
    expect(log).toContain("schedule office: closed (holiday 12-25)");
  });

  test("a caller who hangs up during the closed message is still a closed call", async () => {
    const { call, played } = await replay("stdin-closed-hangup-during-message.txt", hoursAt(CHRISTMAS));
    expect(played.skipped).toEqual([]);
    expect(call.outcome.status).toBe("closed");
    expect(call.hungUpAt).toBeDefined();
  });

  test("closed, then a queue: the queue's outcome, noting the call came in while closed", async () => {
    const { call, played } = await replay("stdin-closed-queue.txt", hoursAt(CHRISTMAS));
    expect(played.skipped).toEqual([]);
    expect(call.route).toEqual({ kind: "queue", queue: "10009" });
    expect(call.outcome).toMatchObject({ status: "answered", answeredBy: "Local/300@agents/n", talkSeconds: 2, detail: "closed: schedule office, holiday 12-25" });
  });

  test("closed, then voicemail over FastAGI: goodbye_sound by default, VoiceMail with its options, VMSTATUS kept", async () => {
    const { call, played } = await replay("fastagi-closed-voicemail.txt", hoursAt(CHRISTMAS));
    expect(played.skipped).toEqual([]);
    expect(call.route).toEqual({ kind: "voicemail", mailbox: "100@default" });
    expect(call.outcome).toEqual({ status: "closed", detail: "closed: schedule office, holiday 12-25; VMSTATUS=SUCCESS" });
  });

  test("open: the menu, exactly as without a schedule", async () => {
    const { call, played, log } = await replay("stdin-open-queue.txt", hoursAt(MONDAY_11));
    expect(played.skipped).toEqual([]);
    expect(call.outcome).toMatchObject({ status: "answered" });
    expect(log).toContain("schedule office: open (mon 09:00-18:00)");
  });

  test("an override forcing the line open on a holiday gives the menu; one forcing it closed on a Monday closes it", async () => {
    const forcedOpen = await replay("stdin-open-queue.txt", hoursAt(CHRISTMAS, { state: "open", until: "cleared", setAt: CHRISTMAS - 1000 }));
    expect(forcedOpen.call.outcome.status).toBe("answered");
    expect(forcedOpen.log).toContain("schedule office: open (override: forced open until cleared)");
    // Set at 10:59 on Monday: it lasts until the schedule's next change, 18:00 CET.
    const forcedClosed = await hoursAt(MONDAY_11, { state: "closed", until: "next_change", setAt: MONDAY_11 - 60_000 })("office", MONDAY_11);
    expect(forcedClosed).toEqual({ open: false, reason: "override: forced closed until the next scheduled change at 2026-12-28T17:00:00.000Z" });
  });

  test("a schedule that cannot be evaluated keeps the line open (the menu), and says so", async () => {
    const { call, log } = await replay("stdin-open-queue.txt", () => {
      throw new Error("history unreadable");
    });
    expect(call.outcome.status).toBe("answered");
    expect(log).toContain("schedule office: not evaluated (history unreadable); the line stays open");
  });
});
