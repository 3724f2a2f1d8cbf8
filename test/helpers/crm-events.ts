import { SAMPLE_DATA } from "../../src/integrations/webhooks/samples.ts";
import type { PublishedEvent } from "../../src/outbox/recorder.ts";

type Call = Record<string, any>;
const base = (SAMPLE_DATA["call.ended"] as { call: Call }).call;

/** A call as the webhooks' JSON has it (product.md's inbound call), with what a test changes. */
export function crmCall(overrides: Call = {}): Call {
  return { ...base, legs: [], transfers: [], ...overrides };
}

/** An event of `call` as the tracker publishes it; `leg` for ringing. */
export function callEvent(type: string, call: Call, leg?: { number: string; trunk?: boolean }, at = Date.parse(call.started_at)): PublishedEvent {
  return {
    type,
    key: call.id,
    at,
    data: () => ({ call_id: call.id, call, ...(leg ? { leg: { position: 1, trunk: false, ...leg } } : {}) }),
  };
}

/** The events of an inbound call whose phones `ringing` rang, `answeredBy` answered after `talk` seconds. */
export function inboundCall(id: string, options: { number?: string; ringing: string[]; answeredBy?: string; talk?: number; status?: string }): PublishedEvent[] {
  const call = crmCall({ id, linkedid: id, uniqueid: id, external_number: options.number ?? base.external_number, answered_extension: options.answeredBy ?? null });
  const ended = {
    ...call,
    state: "ended",
    status: options.status ?? (options.answeredBy ? "answered" : "no_answer"),
    talk_seconds: options.answeredBy ? (options.talk ?? 60) : null,
    legs: options.ringing.map((number) => ({ number, trunk: false, ring_at: call.started_at })),
  };
  return [
    ...options.ringing.map((number) => callEvent("call.ringing", call, { number })),
    ...(options.answeredBy ? [callEvent("call.answered", call)] : []),
    callEvent("call.ended", ended),
  ];
}
