import type { IvrConfig } from "../config/schema.ts";
import { normalizePhone } from "../history/phone.ts";
import { countryOf } from "./country.ts";
import type { LiveEvent } from "./live.ts";
import { legRow, transferRow, type UserLookup } from "./store.ts";
import { legRowJson, transferRowJson } from "./timeline.ts";
import type { CallFields, CallSummary, LegSummary, TransferSummary } from "./summary.ts";

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** E.164 for display, remembered: libphonenumber is too slow to run on every event of a busy PBX. */
const e164 = new Map<string, string | null>();
function phone(raw: string | null, country: string | undefined): string | null {
  if (!raw) return null;
  const key = `${country ?? ""}|${raw}`;
  let value = e164.get(key);
  if (value === undefined) {
    if (e164.size >= 10_000) e164.clear();
    value = normalizePhone(raw, country) ?? null;
    e164.set(key, value);
  }
  return value;
}

/** A live call as the API shows it: the history's column names, times in ISO 8601. */
export function callFieldsJson(call: CallFields, config: IvrConfig, userFor: UserLookup) {
  const user = call.answeredExtension ? userFor(call.answeredExtension) : undefined;
  return {
    id: call.id,
    linkedid: call.linkedid,
    uniqueid: call.uniqueid,
    direction: call.direction,
    state: call.state,
    status: call.status,
    started_at: iso(call.startedAt),
    ringing_at: iso(call.ringingAt),
    answered_at: iso(call.answeredAt),
    ended_at: iso(call.endedAt),
    external_number: phone(call.externalNumber, countryOf(config, call.did)),
    external_number_raw: call.externalNumber,
    caller_name: call.callerName,
    did: call.did,
    line: call.line,
    caller_extension: call.callerExtension,
    answered_by: call.answeredBy,
    answered_extension: call.answeredExtension,
    answered_user_id: user?.id ?? null,
    answered_user: user ? (user.name ?? `user ${user.id}`) : null,
    queue: call.queue,
    queue_joined_at: iso(call.queueJoinedAt),
    queue_abandoned: call.queueAbandoned,
    wait_seconds: call.waitSeconds,
    talk_seconds: call.talkSeconds,
    hangup_cause: call.hangupCause,
    hangup_cause_text: call.hangupCauseText,
    transferred: call.transferred,
    gap: call.gap,
  };
}

/** A live leg or transfer: the same JSON as a recorded one. */
export const legJson = (leg: LegSummary, position: number) => legRowJson(legRow(leg, position));
export const transferJson = (transfer: TransferSummary) => transferRowJson(transferRow(transfer));

export function liveCallJson(call: CallSummary, config: IvrConfig, userFor: UserLookup) {
  return { ...callFieldsJson(call, config, userFor), legs: call.legs.map(legJson), transfers: call.transfers.map(transferJson) };
}

export function liveEventJson(event: LiveEvent, config: IvrConfig, userFor: UserLookup) {
  return {
    id: event.id,
    type: event.type,
    at: iso(event.at),
    call: callFieldsJson(event.call, config, userFor),
    ...(event.leg ? { leg: legJson(event.leg, event.legPosition ?? 0) } : {}),
    ...(event.transfer ? { transfer: transferJson(event.transfer) } : {}),
    ...(event.mergedFrom ? { merged_from: event.mergedFrom } : {}),
  };
}
