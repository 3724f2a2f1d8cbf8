import type { IvrCall } from "../ivr/run.ts";
import type { History } from "./db.ts";
import { extensionOf } from "./extension.ts";
import { normalizePhone } from "./phone.ts";
import { calls, type NewCallRow, type NewDecisionRow, smartDecisions } from "./schema.ts";

/** The history row for a call the IVR handled. Numbers in E.164 with the PBX's country. */
export function ivrCallRow(call: IvrCall, country: string | undefined): NewCallRow {
  const { outcome, route } = call;
  return {
    uniqueid: call.uniqueid,
    linkedid: call.linkedid ?? null,
    source: "ivr",
    direction: "inbound",
    startedAt: call.startedAt,
    endedAt: call.endedAt || null,
    hungUpAt: call.hungUpAt ?? null,
    externalNumber: normalizePhone(call.caller, country) ?? null,
    externalNumberRaw: call.caller ?? null,
    callerName: call.callerName ?? null,
    did: call.did || null,
    digits: call.inputs.join(","),
    routeKind: route?.kind ?? null,
    destination: !route ? null : route.kind === "queue" ? route.queue : route.kind === "extension" ? route.extension : route.context,
    status: outcome.status,
    answeredBy: outcome.answeredBy ?? null,
    answeredExtension: extensionOf(outcome.answeredBy) ?? null,
    waitSeconds: outcome.waitSeconds ?? null,
    talkSeconds: outcome.talkSeconds ?? null,
    detail: outcome.detail ?? null,
  };
}

/** Inserts one call; returns its id. One statement, so it is all or nothing. */
export function insertCall(history: History, row: NewCallRow): number {
  return history.db.insert(calls).values(row).returning({ id: calls.id }).get().id;
}

export function insertDecision(history: History, row: NewDecisionRow): void {
  history.db.insert(smartDecisions).values(row).run();
}
