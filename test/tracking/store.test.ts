import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { callJson } from "../../src/history/call-json.ts";
import { type History, openHistory } from "../../src/history/db.ts";
import { MIGRATIONS } from "../../src/history/migrations.ts";
import { answeredExtension, getCall, listCalls } from "../../src/history/queries.ts";
import { insertCall, ivrCallRow } from "../../src/history/record.ts";
import { pruneIfDue } from "../../src/history/retention.ts";
import { callChannels, callLegs, calls, callTransfers } from "../../src/history/schema.ts";
import type { IvrCall } from "../../src/ivr/run.ts";
import type { CallSummary } from "../../src/tracking/summary.ts";
import { trackedCallRow, TrackedCallWriter, writeTrackedCall } from "../../src/tracking/store.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { tempHistory } from "../helpers/history.ts";
import { replay, T0, trunks } from "../helpers/tracking.ts";

const USERS: Record<string, { id: number; name?: string }> = { "1001": { id: 38, name: "Anna" }, "150": { id: 31 } };
const userFor = (ext: string) => USERS[ext];
const write = (history: History, call: CallSummary, country = "TH") => writeTrackedCall(history, call, trackedCallRow(call, { country }, userFor));

const recorded = () => replay(amiEvents("ivr-queue-and-dial"), trunks(/^Local\/\d+@probe-/)).ended;

/** What the IVR recorded for the second call of the recording: FastAGI ran on its ;2 half, 1001 answered. */
function ivrRecordOfSecondCall(): IvrCall {
  return {
    uniqueid: "1795264200.51",
    linkedid: "1795264200.50",
    did: "0298765432",
    menu: "did",
    caller: "0812223333",
    callerName: "Branch Caller",
    startedAt: T0 + 1000,
    endedAt: T0 + 2000,
    hungUpAt: undefined,
    inputs: ["1001"],
    route: { kind: "extension", extension: "1001", target: "Local/1001@internal/n" },
    outcome: { status: "answered", answeredBy: "1001@internal/n", waitSeconds: 1, talkSeconds: 19 },
  } as IvrCall;
}

const children = (history: History, id: number) => ({
  legs: history.db.select().from(callLegs).where(eq(callLegs.callId, id)).all().map(({ id: _, callId: __, ...leg }) => leg),
  transfers: history.db.select().from(callTransfers).where(eq(callTransfers.callId, id)).all().map(({ id: _, callId: __, ...t }) => t),
  channels: history.db.select().from(callChannels).where(eq(callChannels.callId, id)).all().map((c) => c.uniqueid).sort(),
});

describe("tracked calls in the history", () => {
  test("the new tables are exactly what schema.ts describes", () => {
    const history = tempHistory();
    for (const table of [callLegs, callTransfers, callChannels]) {
      const config = getTableConfig(table);
      const columns = history.sqlite.query(`PRAGMA table_info(${config.name})`).all() as Array<{ name: string; type: string; notnull: number; pk: number }>;
      expect(columns.map((c) => [c.name, c.type, c.pk > 0, c.pk > 0 || c.notnull === 1])).toEqual(
        config.columns.map((c) => [c.name, c.getSQLType().toUpperCase(), c.primary, c.notNull || c.primary]),
      );
    }
  });

  test("a history written by the previous version (migration 0001 only) is migrated; its calls read as untracked", () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-old-history-"));
    const old = new Database(join(dir, "ivr.sqlite"));
    old.run(MIGRATIONS[0]!.sql);
    old.run("PRAGMA user_version = 1");
    old.run("INSERT INTO calls (uniqueid, source, direction, started_at, status) VALUES ('1.1', 'ivr', 'inbound', 1, 'answered')");
    old.close();
    const history = openHistory(join(dir, "ivr.sqlite"));
    expect(history.sqlite.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
    expect(getCall(history, 1)).toMatchObject({ uniqueid: "1.1", tracked: false, gap: false, line: null, queueJoinedAt: null });
    expect(write(history, recorded()[0]!)).toBe(2);
  });

  test("each recorded call is one row, field by field, with its legs and channels", () => {
    const history = tempHistory();
    const [queueCall, dialled] = recorded();
    const id = write(history, queueCall!);
    write(history, dialled!);
    expect(callJson(getCall(history, id)!)).toMatchObject({
      uniqueid: "1795264199.46",
      linkedid: "1795264199.46",
      source: "ami",
      direction: "inbound",
      external_number: "+66812345678",
      external_number_raw: "+66812345678",
      caller_name: "Test Caller",
      did: "0212345678",
      digits: null,
      route_kind: "queue",
      destination: "10003-vars",
      status: "answered",
      answered_by: "Local/300@agents/n",
      answered_extension: "300",
      wait_seconds: 0,
      talk_seconds: 3,
    });
    expect(getCall(history, id)).toMatchObject({ line: "Local/0212345678@probe-external", queue: "10003-vars", queueJoinedAt: queueCall!.queueJoinedAt, hangupCause: 16, hangupCauseText: "Normal Clearing", tracked: true, gap: false, callerExtension: null });
    const { legs, channels } = children(history, id);
    expect(channels).toEqual(["1795264199.46", "1795264199.47", "1795264199.48", "1795264199.49"]);
    expect(legs.map((l) => [l.position, l.role, l.endpoint, l.trunk, l.number, l.member, l.dialStatus])).toEqual([
      [0, "origin", "Local/0212345678@probe-external", true, "+66812345678", null, "ANSWER"],
      [1, "dialed", "Local/300@agents", false, "300", "Agent 300", "ANSWER"],
    ]);
    const second = listCalls(history, { phone: { e164: ["+66812223333"], raw: "0812223333" } });
    expect(second.map((r) => [r.answeredExtension, r.answeredUserId, r.answeredUser])).toEqual([["1001", 38, "Anna"]]);
  });

  test("a call the IVR recorded first is one row: AMI's record merges into the IVR's, which keeps its id", () => {
    const history = tempHistory();
    const ivrId = insertCall(history, ivrCallRow(ivrRecordOfSecondCall(), { country: "TH" }));
    const id = write(history, recorded()[1]!);
    expect(id).toBe(ivrId);
    expect(history.db.select().from(calls).all()).toHaveLength(1);
    const row = getCall(history, ivrId)!;
    expect(row).toMatchObject({
      source: "ivr",
      tracked: true,
      digits: "1001", // the IVR's
      routeKind: "extension",
      status: "answered",
      answeredBy: "1001@internal/n", // no transfer: the IVR's word stands
      answeredExtension: "1001",
      answeredUserId: 38,
      line: "Local/0298765432@probe-fast", // AMI's
      linkedid: "1795264200.50",
      talkSeconds: recorded()[1]!.talkSeconds, // AMI's measure, not ANSWEREDTIME (which counts the IVR time)
    });
    expect(children(history, ivrId).channels).toHaveLength(4);
  });

  test("the same call, the IVR writing second (a trigger merges it): the same row", () => {
    const first = tempHistory();
    const firstId = insertCall(first, ivrCallRow(ivrRecordOfSecondCall(), { country: "TH" }));
    write(first, recorded()[1]!);
    const second = tempHistory();
    write(second, recorded()[1]!);
    const secondId = insertCall(second, ivrCallRow(ivrRecordOfSecondCall(), { country: "TH" }));
    expect(second.db.select().from(calls).all()).toHaveLength(1);
    const { id: _a, ...one } = getCall(first, firstId)!;
    const { id: _b, ...other } = getCall(second, secondId)!;
    expect(other).toEqual(one);
    expect(children(second, secondId)).toEqual(children(first, firstId));
  });

  test("an IVR call AMI never saw, and an AMI call without IVR, stay as they are", () => {
    const history = tempHistory();
    const ivrId = insertCall(history, ivrCallRow({ ...ivrRecordOfSecondCall(), uniqueid: "1795999999.1" }, { country: "TH" }));
    const amiId = write(history, recorded()[1]!);
    expect(amiId).not.toBe(ivrId);
    expect(getCall(history, ivrId)).toMatchObject({ source: "ivr", tracked: false, line: null });
  });

  test("a manager's answered outbound call feeds last_call and first_call", () => {
    const history = tempHistory();
    const [call] = replay(amiEvents("outbound-call.written"), trunks(/^PJSIP\/mtt-/)).ended;
    write(history, call!, "RU");
    expect(getCall(history, 1)).toMatchObject({ direction: "outbound", externalNumber: "+79991234567", externalNumberRaw: "89991234567", answeredExtension: "150", answeredUserId: 31, answeredUser: "user 31", line: "PJSIP/mtt" });
    expect(answeredExtension(history, { e164: "+79991234567", raw: "89991234567" }, "last")).toBe("150");
    expect(answeredExtension(history, { e164: "+79991234567", raw: "89991234567" }, "first")).toBe("150");
  });

  test("transfers are recorded; retention deletes a call's legs, transfers and channels with it", () => {
    const history = tempHistory();
    const [call] = replay(amiEvents("attended-transfer.written"), trunks(/^PJSIP\/provider-/)).ended;
    const id = write(history, call!);
    expect(children(history, id).transfers).toEqual([
      { at: call!.transfers[0]!.at, kind: "attended", result: "Success", fromParty: "101", transferee: "+66812345678", toParty: "102", destination: null, method: "Bridge" },
    ]);
    expect(pruneIfDue(history, 1, call!.startedAt + 2 * 86_400_000)).toBe(1);
    expect(children(history, id)).toEqual({ legs: [], transfers: [], channels: [] });
  });

  test("the writer batches, and keeps calls while another process holds the write lock", async () => {
    const history = tempHistory();
    const { log, text } = captureLog();
    const writer = new TrackedCallWriter(history, log, (c) => trackedCallRow(c, { country: "TH" }, userFor), { flushMs: 5 });
    const locker = new (await import("bun:sqlite")).Database(history.path);
    locker.run("PRAGMA busy_timeout = 0");
    history.sqlite.run("PRAGMA busy_timeout = 0");
    locker.run("BEGIN IMMEDIATE");
    for (const call of recorded()) writer.add(call);
    expect(writer.flush()).toBe(0);
    expect(writer.pending).toBe(2);
    expect(text()).toContain("history busy");
    locker.run("COMMIT");
    locker.close();
    expect(writer.flush()).toBe(2);
    expect(writer.written).toBe(2);
    expect(listCalls(history)).toHaveLength(2);
  });
});
