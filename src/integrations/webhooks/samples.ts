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
};

/** A whole body, as the outbox would store it. */
export function sampleBody(type: WebhookEventType, sequence = 1): string {
  const at = type === "call.ended" ? "2026-11-21T12:02:06.000Z" : "2026-11-21T12:00:06.000Z";
  return JSON.stringify({ type, timestamp: at, data: { ...SAMPLE_DATA[type], sequence } });
}
