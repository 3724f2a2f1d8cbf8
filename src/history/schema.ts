import { index, integer, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Call history. One row per call the IVR handled (later also calls AMI saw). Times are
 * milliseconds since the epoch. `external_number` is the outside party in E.164 (inbound:
 * the caller), `answered_extension` the internal extension that talked to them: together
 * they answer "which manager had this customer last", which Smart Redirect asks.
 */
export const calls = sqliteTable(
  "calls",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    uniqueid: text("uniqueid").notNull(),
    linkedid: text("linkedid"),
    source: text("source").notNull(), // "ivr"
    direction: text("direction").notNull(), // "inbound"
    startedAt: integer("started_at").notNull(),
    endedAt: integer("ended_at"),
    /** When the caller hung up, if they did before the IVR finished. */
    hungUpAt: integer("hung_up_at"),
    externalNumber: text("external_number"),
    externalNumberRaw: text("external_number_raw"),
    callerName: text("caller_name"),
    did: text("did"),
    /** What the caller entered at each attempt, comma-separated ("7,2"; "" for silence). */
    digits: text("digits"),
    routeKind: text("route_kind"), // "queue" | "extension"
    destination: text("destination"), // queue name or extension
    status: text("status").notNull(),
    answeredBy: text("answered_by"),
    answeredExtension: text("answered_extension"),
    waitSeconds: integer("wait_seconds"),
    talkSeconds: integer("talk_seconds"),
    detail: text("detail"),
    /**
     * One call's identity (uniqueid@started_at), unique: a record imported from the spool
     * twice (a crash between the import's commit and the file's removal) is stored once.
     * NULL on rows written before it existed.
     */
    recordKey: text("record_key"),
  },
  (t) => [
    index("calls_started_at").on(t.startedAt),
    index("calls_external_number").on(t.externalNumber, t.startedAt),
    index("calls_did").on(t.did, t.startedAt),
    index("calls_uniqueid").on(t.uniqueid),
    uniqueIndex("calls_record_key").on(t.recordKey),
    // Numbers that could not be put in E.164 are matched in the spelling they came in
    // (raw = ? AND external_number IS NULL ORDER BY started_at: one seek).
    index("calls_external_number_raw").on(t.externalNumberRaw, t.externalNumber, t.startedAt),
  ],
);

/** Every Smart Redirect decision, with what decided it and how long it took. */
export const smartDecisions = sqliteTable(
  "smart_decisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    via: text("via").notNull(), // "http" | "agi"
    enterprise: text("enterprise").notNull(),
    uniqueid: text("uniqueid"),
    phoneRaw: text("phone_raw"),
    phone: text("phone"),
    trunk: text("trunk"),
    mode: text("mode").notNull(),
    rule: text("rule"),
    outcome: text("outcome").notNull(),
    name: text("name"),
    dialPlan: text("dial_plan"),
    reason: text("reason"),
    latencyMs: real("latency_ms").notNull(),
    cached: integer("cached", { mode: "boolean" }).notNull(),
  },
  (t) => [index("smart_decisions_at").on(t.at), index("smart_decisions_phone").on(t.phone, t.at)],
);

/** Small facts about the database itself (when it was last pruned). */
export const meta = sqliteTable("meta", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

export type CallRow = typeof calls.$inferSelect;
export type NewCallRow = typeof calls.$inferInsert;
export type DecisionRow = typeof smartDecisions.$inferSelect;
export type NewDecisionRow = typeof smartDecisions.$inferInsert;
