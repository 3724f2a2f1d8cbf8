import type { HistoryConnection } from "./connection.ts";
import type { CallRecord } from "./record.ts";
import type { NewCallRow, NewDecisionRow } from "./schema.ts";

/**
 * The history's inserts as plain prepared statements: a per-call process writes its record
 * after every call, and loading drizzle and building its query cost it more than the write
 * itself. schema.ts stays the one description of the tables: every insertable field must be
 * listed here (the compiler checks the keys, test/history/insert.test.ts the column names and
 * defaults), and a field left undefined gets the column's default, as drizzle does.
 */
type Columns<Row> = { readonly [Field in Exclude<keyof Row, "id">]-?: string };

const CALL_COLUMNS: Columns<NewCallRow> = {
  uniqueid: "uniqueid",
  linkedid: "linkedid",
  source: "source",
  direction: "direction",
  startedAt: "started_at",
  endedAt: "ended_at",
  hungUpAt: "hung_up_at",
  externalNumber: "external_number",
  externalNumberRaw: "external_number_raw",
  callerName: "caller_name",
  did: "did",
  digits: "digits",
  routeKind: "route_kind",
  destination: "destination",
  status: "status",
  answeredBy: "answered_by",
  answeredExtension: "answered_extension",
  waitSeconds: "wait_seconds",
  talkSeconds: "talk_seconds",
  detail: "detail",
  recordKey: "record_key",
  line: "line",
  ringingAt: "ringing_at",
  answeredAt: "answered_at",
  callerExtension: "caller_extension",
  answeredUserId: "answered_user_id",
  answeredUser: "answered_user",
  queue: "queue",
  queueJoinedAt: "queue_joined_at",
  hangupCause: "hangup_cause",
  hangupCauseText: "hangup_cause_text",
  tracked: "tracked",
  gap: "gap",
};

/** schema.ts's `.default(...)` values: what an undefined field is stored as. */
const CALL_DEFAULTS: Partial<Record<keyof NewCallRow, boolean>> = { tracked: false, gap: false };

const DECISION_COLUMNS: Columns<NewDecisionRow> = {
  at: "at",
  via: "via",
  enterprise: "enterprise",
  uniqueid: "uniqueid",
  phoneRaw: "phone_raw",
  phone: "phone",
  trunk: "trunk",
  mode: "mode",
  rule: "rule",
  outcome: "outcome",
  name: "name",
  dialPlan: "dial_plan",
  reason: "reason",
  latencyMs: "latency_ms",
  cached: "cached",
};

/** The column names, in statement order: for the test that holds them to schema.ts. */
export const INSERTED_COLUMNS = { calls: Object.values(CALL_COLUMNS), smart_decisions: Object.values(DECISION_COLUMNS), callDefaults: CALL_DEFAULTS };

function insertSql(table: string, columns: Record<string, string>, tail = ""): string {
  const fields = Object.keys(columns);
  return `INSERT INTO ${table} (${fields.map((field) => columns[field]).join(", ")}) VALUES (${fields.map((field) => `$${field}`).join(", ")})${tail}`;
}

const INSERT_CALL = insertSql("calls", CALL_COLUMNS, " RETURNING id");
// A record already stored (imported from the spool before) is skipped: record_key is unique.
const INSERT_CALL_ONCE = insertSql("calls", CALL_COLUMNS, " ON CONFLICT (record_key) DO NOTHING RETURNING id");
const INSERT_DECISION = insertSql("smart_decisions", DECISION_COLUMNS);

type Value = string | number | boolean | null;

/** Named parameters for a statement (the database is opened `strict`: `$field` binds `field`). */
function bindings<Row extends object>(row: Row, columns: object, defaults: Partial<Record<keyof Row, Value>> = {}): Record<string, Value> {
  const values: Record<string, Value> = {};
  for (const field of Object.keys(columns)) {
    const value = (row as Record<string, Value | undefined>)[field];
    values[field] = value === undefined ? (defaults[field as keyof Row] ?? null) : value;
  }
  return values;
}

/** Inserts one call; returns its id. One statement, so it is all or nothing. */
export function insertCall(history: HistoryConnection, row: NewCallRow): number {
  return (history.sqlite.query(INSERT_CALL).get(bindings(row, CALL_COLUMNS, CALL_DEFAULTS)) as { id: number }).id;
}

/**
 * Inserts a call and its decisions in one transaction, once: a call whose record_key is
 * already stored (imported before) is skipped, its decisions with it. Returns the new id,
 * or undefined for a duplicate.
 */
export function insertRecord(history: HistoryConnection, record: CallRecord): number | undefined {
  const { sqlite } = history;
  return sqlite.transaction(() => {
    const inserted = sqlite.query(INSERT_CALL_ONCE).get(bindings(record.call, CALL_COLUMNS, CALL_DEFAULTS)) as { id: number } | null;
    if (inserted) for (const decision of record.decisions) insertDecision(history, decision);
    return inserted?.id;
  })();
}

export function insertDecision(history: HistoryConnection, row: NewDecisionRow): void {
  history.sqlite.query(INSERT_DECISION).run(bindings(row, DECISION_COLUMNS));
}
