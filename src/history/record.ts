import type { IvrConfig } from "../config/schema.ts";
import type { IvrCall } from "../ivr/run.ts";
import { countryForDid } from "./country.ts";
import type { History } from "./db.ts";
import { extensionOf } from "./extension.ts";
import { normalizePhone } from "./phone.ts";
import { calls, type NewCallRow, type NewDecisionRow, smartDecisions } from "./schema.ts";

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

/** Inserts one call; returns its id. One statement, so it is all or nothing. */
export function insertCall(history: History, row: NewCallRow): number {
  return history.db.insert(calls).values(row).returning({ id: calls.id }).get().id;
}

/**
 * Inserts a call and its decisions in one transaction, once: a call whose record_key is
 * already stored (imported before) is skipped, its decisions with it. Returns the new id,
 * or undefined for a duplicate.
 */
export function insertRecord(history: History, record: CallRecord): number | undefined {
  return history.sqlite.transaction(() => {
    const inserted = history.db.insert(calls).values(record.call).onConflictDoNothing({ target: calls.recordKey }).returning({ id: calls.id }).get();
    if (inserted && record.decisions.length) history.db.insert(smartDecisions).values(record.decisions).run();
    return inserted?.id;
  })();
}

export function insertDecision(history: History, row: NewDecisionRow): void {
  history.db.insert(smartDecisions).values(row).run();
}
