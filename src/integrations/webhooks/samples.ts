import type { WebhookEventType } from "./schemas.ts";

/**
 * One example of every event's data (without `sequence`, which the outbox adds): what
 * `ivr webhooks test` sends and docs/webhook-events.md shows. A test checks each against
 * its schema. The call is product.md's inbound call: a customer reaches extension 101.
 */
const call = {
  id: "1795264116.3",
  linkedid: "1795264116.3",
  uniqueid: "1795264116.3",
  direction: "inbound",
  state: "answered",
  status: null,
  started_at: "2026-11-21T12:00:00.000Z",
  ringing_at: "2026-11-21T12:00:01.000Z",
  answered_at: "2026-11-21T12:00:06.000Z",
  ended_at: null,
  external_number: "+375291234567",
  external_number_raw: "80291234567",
  caller_name: "Alexei Client",
  did: "0001363",
  line: "PJSIP/mtt",
  caller_extension: null,
  answered_by: "PJSIP/101",
  answered_extension: "101",
  answered_user_id: 25,
  answered_user: "Olga Sidorova",
  queue: null,
  queue_joined_at: null,
  queue_abandoned: false,
  wait_seconds: 5,
  talk_seconds: null,
  hangup_cause: null,
  hangup_cause_text: null,
  transferred: false,
  gap: false,
};

const leg = {
  position: 1,
  uniqueid: "1795264116.4",
  channel: "PJSIP/101-0000002a",
  endpoint: "PJSIP/101",
  role: "dialed",
  trunk: false,
  number: "101",
  name: null,
  queue: null,
  member: null,
  via: null,
  ring_at: "2026-11-21T12:00:01.000Z",
  answered_at: "2026-11-21T12:00:06.000Z",
  ended_at: null,
  ring_seconds: 5,
  talk_seconds: null,
  dial_status: "ANSWER",
  hangup_cause: null,
};

const origin = { ...leg, position: 0, uniqueid: "1795264116.3", channel: "PJSIP/mtt-00000029", endpoint: "PJSIP/mtt", role: "origin", trunk: true, number: "80291234567", name: "Alexei Client", ring_at: null, ring_seconds: null, dial_status: null };
const ended = { ...call, state: "ended", status: "answered", ended_at: "2026-11-21T12:02:06.000Z", talk_seconds: 120, hangup_cause: 16, hangup_cause_text: "Normal Clearing" };

/** A number of product.md's donations campaign: answered, key 1 (donation_requested). */
const dial = {
  id: "omwqcvpc0k3x9a2qd",
  kind: "message",
  state: "answered",
  outcome: null,
  stage: null,
  detail: null,
  number: "+375291234567",
  extension: null,
  queue: null,
  campaign: "donations",
  menu: "donations",
  client: "admin",
  enterprise: null,
  trunk: "main",
  attempt: 1,
  call_id: "omwqcvpc0k3x9a2qd",
  hint: "Success 4",
  keys: [] as string[],
  data: { name: "Alexei Client" },
  not_before: "2026-11-21T11:59:59.000Z",
  created_at: "2026-11-21T11:59:59.000Z",
  claimed_at: "2026-11-21T12:00:00.000Z",
  accepted_at: "2026-11-21T12:00:00.010Z",
  answered_at: "2026-11-21T12:00:06.000Z",
  ended_at: null,
};
const queuedDial = { ...dial, state: "queued", attempt: 0, call_id: null, hint: null, claimed_at: null, accepted_at: null, answered_at: null };
const dialingDial = { ...dial, state: "claimed", hint: null, accepted_at: null, answered_at: null };
const ringingDial = { ...dial, state: "ringing", answered_at: null };
const endedDial = { ...dial, state: "done", outcome: "answered", stage: "customer", detail: "the customer answered", keys: ["1"], ended_at: "2026-11-21T12:00:40.000Z" };
const dialIds = { dial_id: dial.id, call_id: dial.call_id };

const progress = {
  name: "donations",
  state: "running",
  numbers: 1200,
  queued: 1200,
  in_progress: 0,
  dialed: 0,
  answered: 0,
  outcomes: {},
  actions: {},
  started_at: "2026-11-21T11:59:58.000Z",
  finished_at: null,
};
const done = { ...progress, state: "done", queued: 0, dialed: 1264, answered: 871, outcomes: { answered: 871, busy: 97, no_answer: 214, refused: 18 }, actions: { donation_requested: 233, opt_out: 41, invalid: 52, timeout: 310 }, finished_at: "2026-11-21T16:41:09.000Z" };
const campaign = (state: string, now: Record<string, unknown>) => ({ campaign: "donations", state, progress: { ...now, state } });

export const SAMPLE_DATA: Record<WebhookEventType, Record<string, unknown>> = {
  "call.started": { call_id: call.id, call: { ...call, state: "started", ringing_at: null, answered_at: null, answered_by: null, answered_extension: null, answered_user_id: null, answered_user: null, wait_seconds: null } },
  "call.ringing": { call_id: call.id, call: { ...call, state: "ringing", answered_at: null, answered_by: null, answered_extension: null, answered_user_id: null, answered_user: null, wait_seconds: null }, leg: { ...leg, answered_at: null, ring_seconds: null, dial_status: null } },
  "call.answered": { call_id: call.id, call, leg },
  "call.transferred": {
    call_id: call.id,
    call: { ...call, transferred: true },
    transfer: { at: "2026-11-21T12:01:00.000Z", kind: "blind", result: "Success", from_party: "101", transferee: "80291234567", to_party: null, destination: "102@from-internal", method: null },
  },
  "call.merged": { call_id: call.id, call, merged_from: "1795264116.7" },
  "call.ended": { call_id: call.id, history_id: 4821, call: { ...ended, legs: [{ ...origin, ended_at: ended.ended_at }, { ...leg, ended_at: ended.ended_at, talk_seconds: 120 }], transfers: [] } },
  "ivr.input": {
    call_id: call.id,
    history_id: 4820,
    uniqueid: call.id,
    did: "0212345678",
    external_number: "+66812345678",
    external_number_raw: "0812345678",
    caller_name: "Test Caller",
    started_at: "2026-11-21T12:00:00.000Z",
    ended_at: "2026-11-21T12:00:09.000Z",
    inputs: ["7", "1"],
    route_kind: "queue",
    destination: "10001",
    status: "answered",
  },
  "smart.decision": {
    call_id: call.id,
    decision_id: 977,
    enterprise: "0367",
    via: "http",
    phone: "+375291234567",
    phone_raw: "80291234567",
    line: "0001363",
    mode: "routing+name",
    outcome: "routed",
    rule: "crm",
    name: "Alexei Client",
    dial_plan: "mngr31_0001363_1",
    reason: "crm: retailcrm's responsible manager, extension 150 of Olga Sidorova",
    latency_ms: 41.2,
    cached: false,
  },
  "originate.queued": { dial_id: dial.id, call_id: null, dial: queuedDial },
  "originate.dialing": { ...dialIds, dial: dialingDial },
  "originate.ringing": { ...dialIds, dial: ringingDial },
  "originate.answered": { ...dialIds, dial },
  "originate.ended": { ...dialIds, outcome: "answered", final: true, retry_at: null, dial: endedDial },
  "campaign.action": { ...dialIds, campaign: "donations", key: "1", action: "event", event: "donation_requested", dial },
  "campaign.started": campaign("running", progress),
  "campaign.paused": campaign("paused", { ...progress, queued: 700, dialed: 512, answered: 361, outcomes: { answered: 361, no_answer: 151 }, actions: { donation_requested: 97 } }),
  "campaign.resumed": campaign("running", { ...progress, queued: 700, dialed: 512, answered: 361, outcomes: { answered: 361, no_answer: 151 }, actions: { donation_requested: 97 } }),
  "campaign.cancelled": campaign("cancelled", { ...progress, queued: 0, dialed: 512, answered: 361, outcomes: { answered: 361, no_answer: 151, cancelled: 688 }, actions: { donation_requested: 97 }, finished_at: "2026-11-21T13:10:00.000Z" }),
  "campaign.done": campaign("done", done),
};

const SAMPLE_TIMES: Partial<Record<WebhookEventType, string>> = {
  "call.ended": "2026-11-21T12:02:06.000Z",
  "originate.queued": "2026-11-21T11:59:59.000Z",
  "originate.dialing": "2026-11-21T12:00:00.000Z",
  "originate.ringing": "2026-11-21T12:00:01.000Z",
  "campaign.action": "2026-11-21T12:00:21.000Z",
  "originate.ended": "2026-11-21T12:00:40.000Z",
  "campaign.started": "2026-11-21T11:59:58.000Z",
  "campaign.done": "2026-11-21T16:41:09.000Z",
};

/** A whole body, as the outbox would store it. */
export function sampleBody(type: WebhookEventType, sequence = 1): string {
  const at = SAMPLE_TIMES[type] ?? "2026-11-21T12:00:06.000Z";
  return JSON.stringify({ type, timestamp: at, data: { ...SAMPLE_DATA[type], sequence } });
}
