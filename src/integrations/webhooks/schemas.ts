import { z } from "zod";
import { CALL_STATUSES } from "../../history/statuses.ts";

/**
 * The JSON of each webhook event, as zod schemas: the published JSON Schemas
 * (docs/webhook-events.md, `ivr webhooks schema`) are generated from them, and the tests
 * check real deliveries against them. Every body is Standard Webhooks' envelope:
 * {type, timestamp, data}; `data.sequence` numbers the call's events 1, 2, 3...
 */
const time = z.string().describe("ISO 8601, UTC");
const maybeTime = time.nullable();
const text = z.string().nullable();
const count = z.number().int().nullable();

const call = z
  .object({
    id: z.string().describe("the call's id: the first Linkedid seen"),
    linkedid: z.string(),
    uniqueid: z.string().describe("the uniqueid of the call's first channel"),
    direction: z.enum(["inbound", "outbound", "internal"]),
    state: z.enum(["started", "ringing", "answered", "ended"]),
    status: z.enum(CALL_STATUSES).nullable().describe("how it ended; null while in progress"),
    started_at: time,
    ringing_at: maybeTime,
    answered_at: maybeTime,
    ended_at: maybeTime,
    external_number: text.describe("the outside party in E.164"),
    external_number_raw: text,
    caller_name: text,
    did: text,
    line: text.describe("the trunk"),
    caller_extension: text,
    answered_by: text,
    answered_extension: text,
    answered_user_id: count,
    answered_user: text,
    queue: text,
    queue_joined_at: maybeTime,
    queue_abandoned: z.boolean(),
    wait_seconds: count,
    talk_seconds: count,
    hangup_cause: count,
    hangup_cause_text: text,
    transferred: z.boolean(),
    gap: z.boolean().describe("part of the call happened while ivr was not connected"),
  })
  .strict()
  .meta({ id: "Call", description: "a call as the live API and the history show it" });

const leg = z
  .object({
    position: z.number().int(),
    uniqueid: z.string(),
    channel: z.string(),
    endpoint: z.string(),
    role: z.enum(["origin", "dialed", "pickup", "other"]),
    trunk: z.boolean(),
    number: text.describe("an extension, or the outside number on a trunk"),
    name: text,
    queue: text,
    member: text,
    via: text,
    ring_at: maybeTime,
    answered_at: maybeTime,
    ended_at: maybeTime,
    ring_seconds: count,
    talk_seconds: count,
    dial_status: text,
    hangup_cause: count,
  })
  .strict()
  .meta({ id: "Leg", description: "a party of the call" });

const transfer = z
  .object({
    at: time,
    kind: z.enum(["blind", "attended", "pickup"]),
    result: z.string(),
    from_party: text,
    transferee: text,
    to_party: text,
    destination: text,
    method: text,
  })
  .strict()
  .meta({ id: "Transfer" });

const common = { call_id: z.string(), sequence: z.number().int().min(1).describe("this call's events, numbered from 1") };

function envelope<T extends string>(type: T, data: z.ZodObject, description: string) {
  return z.object({ type: z.literal(type), timestamp: time.describe("when it happened"), data: data.strict() }).strict().describe(description);
}

export const WEBHOOK_SCHEMAS = {
  "call.started": envelope("call.started", z.object({ ...common, call }), "A call appeared on the PBX: its first channel (AMI call tracking)."),
  "call.ringing": envelope("call.ringing", z.object({ ...common, call, leg }), "A party of the call (`leg`) started ringing (each phone of a ringall queue is one event)."),
  "call.answered": envelope("call.answered", z.object({ ...common, call, leg }), "The call was answered: a party (`leg`) is connected to the caller (once per call)."),
  "call.transferred": envelope("call.transferred", z.object({ ...common, call, transfer }), "A blind or attended transfer, or a pickup."),
  "call.merged": envelope("call.merged", z.object({ ...common, call, merged_from: z.string().describe("the call id now part of this call") }), "Two calls turned out to be one conversation (a transfer or pickup joined them)."),
  "call.ended": envelope(
    "call.ended",
    z.object({ ...common, history_id: z.number().int().describe("the call's id in the history (GET /api/calls/:id)"), call: call.extend({ legs: z.array(leg), transfers: z.array(transfer) }).strict().meta({ id: "RecordedCall", description: "the call with its legs and transfers" }) }),
    "The call ended and was recorded in the history: the whole call, with its legs and transfers. Stored in the same transaction as the history row.",
  ),
  "ivr.input": envelope(
    "ivr.input",
    z.object({
      ...common,
      history_id: z.number().int(),
      uniqueid: z.string(),
      did: text,
      external_number: text,
      external_number_raw: text,
      caller_name: text,
      started_at: time,
      ended_at: maybeTime,
      inputs: z.array(z.string()).describe("what the caller entered at each attempt (\"\" for silence)"),
      route_kind: text.describe("queue, extension or smart"),
      destination: text,
      status: z.enum(CALL_STATUSES),
    }),
    "A call went through the IVR: what the caller entered at each attempt and where it led (when its record is written, by ivr serve or a per-call process).",
  ),
  "smart.decision": envelope(
    "smart.decision",
    z.object({
      call_id: z.string().nullable().describe("the call's uniqueid when the PBX sent one"),
      sequence: common.sequence,
      decision_id: z.number().int(),
      enterprise: z.string(),
      via: z.enum(["http", "agi"]),
      phone: text,
      phone_raw: text,
      line: text,
      mode: z.enum(["off", "name-only", "routing+name"]),
      outcome: z.string(),
      rule: text,
      name: text,
      dial_plan: text,
      reason: text,
      latency_ms: z.number(),
      cached: z.boolean(),
    }),
    "Smart Redirect answered the PBX (over HTTP or FastAGI): the name and dialplan context it gave, and why.",
  ),
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_SCHEMAS;

/** The JSON Schema (draft 2020-12) of an event type's body. */
export function jsonSchema(type: WebhookEventType): Record<string, unknown> {
  return z.toJSONSchema(WEBHOOK_SCHEMAS[type], { target: "draft-2020-12" }) as Record<string, unknown>;
}
