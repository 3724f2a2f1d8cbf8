import type { IvrConfig } from "../config/schema.ts";
import type { PublishedEvent } from "../outbox/recorder.ts";
import { callFieldsJson, legJson, liveCallJson, transferJson } from "../tracking/json.ts";
import type { LiveEvent } from "../tracking/live.ts";
import type { UserLookup } from "../tracking/store.ts";
import type { CallSummary } from "../tracking/summary.ts";

/**
 * The tracker's changes as outbox events: the same JSON as the live API and the event
 * stream (the history's column names), keyed by the call's id. Built when stored, from the
 * snapshot the live feed took, so the event path only keeps a reference.
 */
export function liveEventToOutbox(event: LiveEvent, config: () => IvrConfig, userFor: UserLookup): PublishedEvent {
  return {
    type: event.type,
    key: event.call.id,
    at: event.at,
    data: () => ({
      call_id: event.call.id,
      call: callFieldsJson(event.call, config(), userFor),
      ...(event.leg ? { leg: legJson(event.leg, event.legPosition ?? 0) } : {}),
      ...(event.transfer ? { transfer: transferJson(event.transfer) } : {}),
      ...(event.mergedFrom ? { merged_from: event.mergedFrom } : {}),
    }),
  };
}

/** call.ended: the whole call as recorded, with its legs, transfers and its id in the history. */
export function endedCallToOutbox(call: CallSummary, historyId: number, config: IvrConfig, userFor: UserLookup): PublishedEvent {
  const json = liveCallJson(call, config, userFor);
  return { type: "call.ended", key: call.id, at: call.endedAt ?? call.startedAt, data: () => ({ call_id: call.id, history_id: historyId, call: json }) };
}
