import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
    // Migration 0003: what AMI adds (appended, as ALTER TABLE puts them). `line` is the trunk.
    line: text("line"),
    ringingAt: integer("ringing_at"),
    answeredAt: integer("answered_at"),
    /** The internal party that placed an outbound or internal call. */
    callerExtension: text("caller_extension"),
    /** The Smart Redirect user whose phone answered_extension is. */
    answeredUserId: integer("answered_user_id"),
    answeredUser: text("answered_user"),
    queue: text("queue"),
    queueJoinedAt: integer("queue_joined_at"),
    hangupCause: integer("hangup_cause"),
    hangupCauseText: text("hangup_cause_text"),
    /** Seen on AMI: its legs, transfers and channels are recorded. */
    tracked: integer("tracked", { mode: "boolean" }).notNull().default(false),
    /** Part of the call happened while the AMI connection was down: times may be estimates. */
    gap: integer("gap", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    index("calls_started_at").on(t.startedAt),
    index("calls_external_number").on(t.externalNumber, t.startedAt),
    index("calls_did").on(t.did, t.startedAt),
    index("calls_uniqueid").on(t.uniqueid),
    uniqueIndex("calls_record_key").on(t.recordKey),
    // A number searched as typed (listCalls): the rows stored in that spelling.
    index("calls_external_number_raw").on(t.externalNumberRaw, t.externalNumber, t.startedAt),
    // Smart's caller lookups (queries.ts callerFacts), each one seek that needs no table row.
    // Their WHERE must match the queries' terms word for word for SQLite to use them.
    index("calls_answered_by_number").on(t.externalNumber, t.startedAt, t.answeredExtension).where(sql`status = 'answered' AND answered_extension IS NOT NULL`),
    index("calls_named_by_number").on(t.externalNumber, t.startedAt, t.callerName).where(sql`caller_name IS NOT NULL`),
    // Only the rows stored without an E.164 form: what the lookups by spelling search (named
    // with INDEXED BY: the planner prefers the index above, which matches one more term).
    index("calls_unnormalized_number").on(t.externalNumberRaw, t.startedAt).where(sql`external_number IS NULL`),
    index("calls_linkedid").on(t.linkedid),
  ],
);

/** Every channel uniqueid of a call AMI recorded: how an IVR record finds AMI's record of the same call. */
export const callChannels = sqliteTable("call_channels", { uniqueid: text("uniqueid").primaryKey(), callId: integer("call_id").notNull() }, (t) => [index("call_channels_call").on(t.callId)]);

/** The parties of a call in order: the origin, every ring attempt, pickups. */
export const callLegs = sqliteTable(
  "call_legs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callId: integer("call_id").notNull(),
    position: integer("position").notNull(),
    uniqueid: text("uniqueid").notNull(),
    channel: text("channel").notNull(),
    endpoint: text("endpoint").notNull(),
    role: text("role").notNull(), // origin | dialed | pickup | other
    trunk: integer("trunk", { mode: "boolean" }).notNull(),
    number: text("number"),
    name: text("name"),
    queue: text("queue"),
    member: text("member"),
    via: text("via"),
    ringAt: integer("ring_at"),
    answeredAt: integer("answered_at"),
    endedAt: integer("ended_at"),
    ringSeconds: integer("ring_seconds"),
    talkSeconds: integer("talk_seconds"),
    dialStatus: text("dial_status"),
    hangupCause: integer("hangup_cause"),
  },
  (t) => [index("call_legs_call").on(t.callId, t.position)],
);

export const callTransfers = sqliteTable(
  "call_transfers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    callId: integer("call_id").notNull(),
    at: integer("at").notNull(),
    kind: text("kind").notNull(), // blind | attended | pickup
    result: text("result").notNull(),
    fromParty: text("from_party"),
    transferee: text("transferee"),
    toParty: text("to_party"),
    destination: text("destination"),
    method: text("method"),
  },
  (t) => [index("call_transfers_call").on(t.callId, t.at)],
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

/** A schedule opened or closed by hand (src/schedules/overrides.ts): state open|closed, until next_change|cleared. */
export const scheduleOverrides = sqliteTable("schedule_overrides", {
  schedule: text("schedule").primaryKey(),
  state: text("state").notNull(),
  until: text("until").notNull(),
  setAt: integer("set_at").notNull(),
});

/**
 * The outbox (migration 0005): everything that leaves the product, written before it is
 * sent. An event (its body as sent, its place in its call's sequence) is stored once...
 */
export const outboxEvents = sqliteTable(
  "outbox_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The idempotency key (Standard Webhooks' webhook-id): the same on every attempt. */
    messageId: text("message_id").notNull(),
    /** What the order is kept per: the call's id. */
    orderingKey: text("ordering_key").notNull(),
    /** 1, 2, 3... per ordering key, never reused (outbox_sequences). */
    sequence: integer("sequence").notNull(),
    type: text("type").notNull(),
    /** When it happened (ms). */
    at: integer("at").notNull(),
    /** The JSON body, byte for byte as signed and sent. */
    payload: text("payload").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("outbox_events_message").on(t.messageId)],
);

/** ...and each target it goes to (a webhook, a CRM) has a delivery: pending, delivered, or failed (a dead letter). */
export const outboxDeliveries = sqliteTable(
  "outbox_deliveries",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: integer("event_id").notNull(),
    target: text("target").notNull(),
    orderingKey: text("ordering_key").notNull(),
    state: text("state").notNull(), // pending | delivered | failed
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    createdAt: integer("created_at").notNull(),
    lastAttemptAt: integer("last_attempt_at"),
    deliveredAt: integer("delivered_at"),
    lastError: text("last_error"),
  },
  (t) => [
    index("outbox_deliveries_due").on(t.state, t.nextAttemptAt),
    // The first open delivery of a call to a target goes first: one seek.
    index("outbox_deliveries_open").on(t.target, t.orderingKey, t.id).where(sql`state <> 'delivered'`),
    index("outbox_deliveries_event").on(t.eventId),
    index("outbox_deliveries_delivered").on(t.deliveredAt).where(sql`state = 'delivered'`),
  ],
);

/** The last sequence number given per ordering key: a restart continues, never repeats. */
export const outboxSequences = sqliteTable("outbox_sequences", {
  orderingKey: text("ordering_key").primaryKey(),
  sequence: integer("sequence").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** How far a table of the history has been turned into events (the last row id seen). */
export const outboxCursors = sqliteTable("outbox_cursors", {
  name: text("name").primaryKey(),
  lastId: integer("last_id").notNull(),
});

/** What a CRM answered about one of our calls: Bitrix24's CALL_ID, the users shown the card, whether it was finished. */
export const integrationCalls = sqliteTable(
  "integration_calls",
  {
    target: text("target").notNull(),
    callId: text("call_id").notNull(),
    remoteId: text("remote_id"),
    userId: text("user_id"),
    /** JSON: the users (or codes) the call was shown to. */
    shown: text("shown"),
    registeredAt: integer("registered_at"),
    finishedAt: integer("finished_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.target, t.callId] }), uniqueIndex("integration_calls_remote").on(t.target, t.remoteId)],
);

/**
 * Outbound dials (migration 0006): one row per number to call, from the API or a campaign,
 * through its attempts. `state`: queued -> claimed (written before the Originate is sent)
 * -> dialing (Asterisk accepted it) -> ringing -> answered -> done; back to queued for a
 * retry. `call_id` is the uniqueid the current attempt's channel was given (ChannelId).
 */
export const outboundDials = sqliteTable(
  "outbound_dials",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull(),
    kind: text("kind").notNull(), // click-to-call | callback | message
    campaign: text("campaign"),
    client: text("client").notNull(),
    enterprise: text("enterprise"),
    number: text("number").notNull(),
    numberRaw: text("number_raw"),
    extension: text("extension"),
    queue: text("queue"),
    /** The campaign whose message and menu a message call plays (its own campaign, or one named by the API). */
    menu: text("menu"),
    trunk: text("trunk").notNull(),
    schedule: text("schedule"),
    /** JSON the requester attached (a CSV row's other columns), echoed in events. */
    data: text("data"),
    state: text("state").notNull(),
    attempt: integer("attempt").notNull().default(0),
    callId: text("call_id"),
    notBefore: integer("not_before").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    claimedAt: integer("claimed_at"),
    acceptedAt: integer("accepted_at"),
    answeredAt: integer("answered_at"),
    endedAt: integer("ended_at"),
    outcome: text("outcome"),
    /** Which party the outcome is about: extension (click-to-call's first leg) or customer. */
    stage: text("stage"),
    detail: text("detail"),
    /** What OriginateResponse said (`Failure 5`): a hint, the tracked call decides. */
    hint: text("hint"),
    /** Keys pressed in a campaign's menu, in order ("" for a timeout), comma-separated. */
    keys: text("keys").notNull().default(""),
  },
  (t) => [
    uniqueIndex("outbound_dials_id").on(t.id),
    index("outbound_dials_due").on(t.campaign, t.state, t.notBefore, t.seq),
    // A campaign's duplicates are looked for in it; API dials (no campaign) are not indexed.
    index("outbound_dials_number").on(t.campaign, t.number).where(sql`campaign IS NOT NULL`),
  ],
);

/** A campaign's state (its definition is in the config): idle, running, paused, cancelled, done. */
export const outboundCampaigns = sqliteTable("outbound_campaigns", {
  name: text("name").primaryKey(),
  state: text("state").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
  startedAt: integer("started_at"),
  finishedAt: integer("finished_at"),
});

/** Every key pressed in a campaign's menu (and every timeout), with what it did. */
export const outboundKeys = sqliteTable(
  "outbound_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    dialId: text("dial_id").notNull(),
    callId: text("call_id").notNull(),
    campaign: text("campaign"),
    at: integer("at").notNull(),
    key: text("key").notNull(),
    /** The event name, opt_out, transfer, hangup; invalid or timeout. */
    action: text("action").notNull(),
  },
  (t) => [index("outbound_keys_dial").on(t.dialId), index("outbound_keys_campaign").on(t.campaign, t.action)],
);

/** Numbers (E.164) never to be called: checked before every dial; an opt-out adds one at once. */
export const outboundDnc = sqliteTable("outbound_dnc", {
  number: text("number").primaryKey(),
  addedAt: integer("added_at").notNull(),
  source: text("source").notNull(), // api | opt_out
  campaign: text("campaign"),
  note: text("note"),
});

export type CallRow = typeof calls.$inferSelect;
export type CallLegRow = typeof callLegs.$inferSelect;
export type NewCallLegRow = typeof callLegs.$inferInsert;
export type CallTransferRow = typeof callTransfers.$inferSelect;
export type NewCallTransferRow = typeof callTransfers.$inferInsert;
export type NewCallRow = typeof calls.$inferInsert;
export type DecisionRow = typeof smartDecisions.$inferSelect;
export type NewDecisionRow = typeof smartDecisions.$inferInsert;
export type OutboxEventRow = typeof outboxEvents.$inferSelect;
export type OutboxDeliveryRow = typeof outboxDeliveries.$inferSelect;
export type IntegrationCallRow = typeof integrationCalls.$inferSelect;
export type OutboundDialRow = typeof outboundDials.$inferSelect;
export type NewOutboundDialRow = typeof outboundDials.$inferInsert;
