import { z } from "zod";
import { CALL_STATUSES } from "../../history/statuses.ts";
import { CAMPAIGN_STATES, KINDS, OUTCOMES, STATES } from "../../originate/types.ts";

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

const dial = z
  .object({
    id: z.string().describe("the dial's id, as POST /api/originate answered it"),
    kind: z.enum(KINDS),
    state: z.enum(STATES),
    outcome: z.enum(OUTCOMES).nullable().describe("how the last attempt ended; null before"),
    stage: z.enum(["extension", "customer"]).nullable().describe("whose line the outcome is about (click-to-call rings the extension first)"),
    detail: text,
    number: z.string().describe("E.164"),
    extension: text,
    queue: text,
    campaign: text,
    menu: text.describe("the campaign whose menu the call plays"),
    client: z.string().describe("the API client that asked for it (admin for campaigns)"),
    enterprise: text,
    trunk: z.string(),
    attempt: z.number().int().describe("attempts placed so far"),
    call_id: text.describe("the current attempt's call id (the dial's id, then id.2, id.3...): the call.* events' call_id"),
    hint: text.describe("Asterisk's OriginateResponse (Response Reason)"),
    keys: z.array(z.string()).describe("the keys pressed in a campaign's menu (\"\" for silence)"),
    data: z.unknown().describe("what the request or the campaign's list gave with the number"),
    not_before: time,
    created_at: time,
    claimed_at: maybeTime,
    accepted_at: maybeTime,
    answered_at: maybeTime,
    ended_at: maybeTime,
  })
  .strict()
  .meta({ id: "Dial", description: "an outbound dial as GET /api/originate/:id shows it" });

const progress = z
  .object({
    name: z.string(),
    state: z.enum(CAMPAIGN_STATES),
    numbers: z.number().int(),
    queued: z.number().int(),
    in_progress: z.number().int(),
    dialed: z.number().int().describe("attempts placed"),
    answered: z.number().int(),
    outcomes: z.partialRecord(z.enum(OUTCOMES), z.number().int()).describe("numbers by their last outcome"),
    actions: z.record(z.string(), z.number().int()).describe("key presses by action: the event names, opt_out, transfer, hangup, invalid, timeout"),
    started_at: maybeTime,
    finished_at: maybeTime,
  })
  .strict()
  .meta({ id: "CampaignProgress", description: "a campaign's progress as GET /api/campaigns/:name shows it" });

const common = { call_id: z.string(), sequence: z.number().int().min(1).describe("this call's events, numbered from 1") };

/** The outbound events are ordered and numbered per dial: on its first attempt the dial's id is also its call's id, and they share one sequence with that call's events. */
const dialCommon = {
  dial_id: z.string().describe("the dial's id: what this dial's events are ordered and numbered by"),
  call_id: z.string().nullable().describe("the current attempt's call id (the call.* events'); null before the first attempt"),
  sequence: z.number().int().min(1).describe("this dial's events, numbered from 1"),
};

const campaignCommon = {
  campaign: z.string(),
  sequence: z.number().int().min(1).describe("this campaign's state events, numbered from 1"),
  state: z.enum(CAMPAIGN_STATES),
  progress,
};

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
  "originate.queued": envelope("originate.queued", z.object({ ...dialCommon, dial }), "A dial was queued through POST /api/originate (a campaign's numbers are not announced one by one)."),
  "originate.dialing": envelope("originate.dialing", z.object({ ...dialCommon, dial }), "The dialer placed an attempt: its Originate is on its way to Asterisk."),
  "originate.ringing": envelope("originate.ringing", z.object({ ...dialCommon, dial }), "The attempt's first line rings (the extension for click-to-call, the customer otherwise)."),
  "originate.answered": envelope("originate.answered", z.object({ ...dialCommon, dial }), "The customer answered (for click-to-call: once the extension was connected to the customer). Stored with the dial's answered state."),
  "originate.ended": envelope(
    "originate.ended",
    z.object({
      ...dialCommon,
      outcome: z.enum(OUTCOMES).describe("how this attempt ended"),
      final: z.boolean().describe("true: the dial is done and this is its final outcome; false: it will be tried again (retry_at)"),
      retry_at: maybeTime,
      dial,
    }),
    "An attempt ended with its outcome (from the tracked call), or a dial ended without a call (refused, cancelled). Once per attempt; `final` marks the dial's last. Stored with the dial's outcome.",
  ),
  "campaign.action": envelope(
    "campaign.action",
    z.object({
      ...dialCommon,
      campaign: z.string(),
      key: z.string().describe("the key pressed"),
      action: z.enum(["event", "opt_out"]),
      event: text.describe("the configured event name (e.g. donation_requested) when action is event"),
      dial,
    }),
    "A key of a campaign's menu raised its configured event or opted the number out (the number is already on the do-not-call list). Ordered with the dial's other events.",
  ),
  "campaign.started": envelope("campaign.started", z.object(campaignCommon), "A campaign was started (or a done campaign was given new numbers): it dials. Stored with the state change."),
  "campaign.paused": envelope("campaign.paused", z.object(campaignCommon), "A campaign was paused: no new calls; those in progress go on."),
  "campaign.resumed": envelope("campaign.resumed", z.object(campaignCommon), "A paused campaign runs again."),
  "campaign.cancelled": envelope("campaign.cancelled", z.object(campaignCommon), "A campaign was cancelled: the numbers not yet called never will be (their dials end as cancelled, without an event each)."),
  "campaign.done": envelope("campaign.done", z.object(campaignCommon), "Every number of a running campaign has its outcome: the final progress."),
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_SCHEMAS;

/** The JSON Schema (draft 2020-12) of an event type's body. */
export function jsonSchema(type: WebhookEventType): Record<string, unknown> {
  return z.toJSONSchema(WEBHOOK_SCHEMAS[type], { target: "draft-2020-12" }) as Record<string, unknown>;
}
