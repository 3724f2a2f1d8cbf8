import { expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { INSERTED_COLUMNS, insertCall, insertDecision, insertRecord } from "../../src/history/insert.ts";
import { calls, type NewCallRow, type NewDecisionRow, smartDecisions } from "../../src/history/schema.ts";
import { tempHistory } from "../helpers/history.ts";

// The per-call write path uses plain statements; drizzle (schema.ts) stays the description of
// the tables. These tests hold the two together: same columns, same defaults, same rows.

test("the inserts name every column of schema.ts but the id, with its defaults", () => {
  const insertable = (table: typeof calls | typeof smartDecisions) => getTableConfig(table).columns.filter((column) => column.name !== "id");
  expect([...INSERTED_COLUMNS.calls].sort()).toEqual(insertable(calls).map((column) => column.name).sort());
  expect([...INSERTED_COLUMNS.smart_decisions].sort()).toEqual(insertable(smartDecisions).map((column) => column.name).sort());
  const defaults = Object.fromEntries(insertable(calls).flatMap((column) => (column.hasDefault ? [[column.name, column.default]] : [])));
  expect(defaults).toEqual({ tracked: false, gap: false });
  expect(INSERTED_COLUMNS.callDefaults).toEqual({ tracked: false, gap: false });
});

const everyField: NewCallRow = {
  uniqueid: "1795264117.9",
  linkedid: "1795264117.8",
  source: "ivr",
  direction: "inbound",
  startedAt: 1_795_264_117_000,
  endedAt: 1_795_264_160_500,
  hungUpAt: 1_795_264_160_000,
  externalNumber: "+375291234567",
  externalNumberRaw: "80291234567",
  callerName: "Test 'Caller' \"名前\"",
  did: "0212345678",
  digits: "7,2",
  routeKind: "queue",
  destination: "10001",
  status: "answered",
  answeredBy: "PJSIP/150-0000002a",
  answeredExtension: "150",
  waitSeconds: 3,
  talkSeconds: 42,
  detail: "detail",
  recordKey: "1795264117.9@1795264117000",
  line: "trunk",
  ringingAt: 1_795_264_118_000,
  answeredAt: 1_795_264_120_000,
  callerExtension: "101",
  answeredUserId: 7,
  answeredUser: "Manager 150",
  queue: "10001",
  queueJoinedAt: 1_795_264_119_000,
  hangupCause: 16,
  hangupCauseText: "Normal Clearing",
  tracked: true,
  gap: true,
};
const fewestFields: NewCallRow = { uniqueid: "1795264117.10", source: "ivr", direction: "inbound", startedAt: 1_795_264_117_001, status: "failed" };

test("a call inserted by the plain statement is the row drizzle stores, every field or the fewest", () => {
  const plain = tempHistory();
  const viaDrizzle = tempHistory();
  for (const row of [everyField, fewestFields]) {
    const id = insertCall(plain, row);
    const drizzleId = viaDrizzle.db.insert(calls).values(row).returning({ id: calls.id }).get().id;
    expect(id).toBe(drizzleId);
    expect(plain.sqlite.query("SELECT * FROM calls WHERE id = ?").get(id)).toEqual(viaDrizzle.sqlite.query("SELECT * FROM calls WHERE id = ?").get(drizzleId));
    // Read back through drizzle: the booleans and numbers come back as the row had them.
    expect(plain.db.select().from(calls).where(eq(calls.id, id)).get()).toMatchObject({ ...row, tracked: row.tracked ?? false, gap: row.gap ?? false });
  }
});

test("a decision inserted by the plain statement is the row drizzle stores", () => {
  const plain = tempHistory();
  const viaDrizzle = tempHistory();
  const decisions: NewDecisionRow[] = [
    { at: 1, via: "agi", enterprise: "0367", uniqueid: "1.2", phoneRaw: "80291234567", phone: "+375291234567", trunk: "0001363", mode: "routing+name", rule: "last_call", outcome: "routed", name: "Ivan", dialPlan: "from-office", reason: "last call", latencyMs: 1.25, cached: true },
    { at: 2, via: "http", enterprise: "0367", mode: "routing", outcome: "no_match", latencyMs: 0.5, cached: false },
  ];
  for (const row of decisions) {
    insertDecision(plain, row);
    viaDrizzle.db.insert(smartDecisions).values(row).run();
  }
  expect(plain.sqlite.query("SELECT * FROM smart_decisions ORDER BY id").all()).toEqual(viaDrizzle.sqlite.query("SELECT * FROM smart_decisions ORDER BY id").all());
});

test("a record is stored once: a second insert of the same record_key stores neither the call nor its decisions", () => {
  const history = tempHistory();
  const decision: NewDecisionRow = { at: 1, via: "agi", enterprise: "0367", uniqueid: everyField.uniqueid, mode: "routing", outcome: "no_match", latencyMs: 1, cached: false };
  const record = { call: everyField, decisions: [decision] };
  expect(insertRecord(history, record)).toBeNumber();
  expect(insertRecord(history, record)).toBeUndefined();
  expect(history.sqlite.query("SELECT count(*) AS n FROM calls").get()).toEqual({ n: 1 });
  expect(history.sqlite.query("SELECT count(*) AS n FROM smart_decisions").get()).toEqual({ n: 1 });
});
