import type { IvrConfig } from "../config/schema.ts";
import type { IvrCall } from "../ivr/run.ts";
import { countryForDid } from "./country.ts";
import { extensionOf } from "./extension.ts";
import { normalizePhone } from "./phone.ts";
import type { NewCallRow, NewDecisionRow } from "./schema.ts";

// Where the history's callers have always found the inserts (plain statements since issue 10).
export { insertCall, insertDecision, insertRecord } from "./insert.ts";

/** One call as it is stored: its row, and the Smart Redirect decisions made during it. */
export interface CallRecord {
  call: NewCallRow;
  decisions: NewDecisionRow[];
}

/** The history row for a call the IVR handled. Numbers in E.164 with the country of the call's DID. */
export function ivrCallRow(call: IvrCall, config: IvrConfig): NewCallRow {
  const { outcome, route } = call;
  return {
    uniqueid: call.uniqueid,
    linkedid: call.linkedid ?? null,
    source: "ivr",
    direction: "inbound",
    startedAt: call.startedAt,
    endedAt: call.endedAt || null,
    hungUpAt: call.hungUpAt ?? null,
    externalNumber: normalizePhone(call.caller, countryForDid(config, call.did)) ?? null,
    externalNumberRaw: call.caller ?? null,
    callerName: call.callerName ?? null,
    did: call.did || null,
    digits: call.inputs.join(","),
    routeKind: route?.kind ?? null,
    destination: !route ? null : route.kind === "queue" ? route.queue : route.kind === "extension" ? route.extension : route.kind === "voicemail" ? route.mailbox : route.context,
    status: outcome.status,
    answeredBy: outcome.answeredBy ?? null,
    answeredExtension: extensionOf(outcome.answeredBy) ?? null,
    waitSeconds: outcome.waitSeconds ?? null,
    talkSeconds: outcome.talkSeconds ?? null,
    detail: outcome.detail ?? null,
    recordKey: recordKey(call.uniqueid, call.startedAt),
  };
}

/** A call's identity: Asterisk's uniqueid is unique per channel, the start time tells reruns apart. */
export function recordKey(uniqueid: string, startedAt: number): string {
  return `${uniqueid}@${startedAt}`;
}
