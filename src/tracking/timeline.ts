import { asc, eq } from "drizzle-orm";
import type { History } from "../history/db.ts";
import { type CallLegRow, callLegs, type CallRow, type CallTransferRow, callTransfers, type NewCallLegRow, type NewCallTransferRow } from "../history/schema.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function legsOf(history: History, callId: number): CallLegRow[] {
  return history.db.select().from(callLegs).where(eq(callLegs.callId, callId)).orderBy(asc(callLegs.position)).all();
}

export function transfersOf(history: History, callId: number): CallTransferRow[] {
  return history.db.select().from(callTransfers).where(eq(callTransfers.callId, callId)).orderBy(asc(callTransfers.at)).all();
}

const isoOrNull = (ms: number | null) => (ms === null ? null : iso(ms));

/** A leg as the API shows it (the database's column names, times in ISO 8601), recorded or live. */
export function legRowJson(leg: Omit<NewCallLegRow, "callId">) {
  return {
    position: leg.position,
    uniqueid: leg.uniqueid,
    channel: leg.channel,
    endpoint: leg.endpoint,
    role: leg.role,
    trunk: leg.trunk,
    number: leg.number ?? null,
    name: leg.name ?? null,
    queue: leg.queue ?? null,
    member: leg.member ?? null,
    via: leg.via ?? null,
    ring_at: isoOrNull(leg.ringAt ?? null),
    answered_at: isoOrNull(leg.answeredAt ?? null),
    ended_at: isoOrNull(leg.endedAt ?? null),
    ring_seconds: leg.ringSeconds ?? null,
    talk_seconds: leg.talkSeconds ?? null,
    dial_status: leg.dialStatus ?? null,
    hangup_cause: leg.hangupCause ?? null,
  };
}

export function transferRowJson(t: Omit<NewCallTransferRow, "callId">) {
  return { at: iso(t.at), kind: t.kind, result: t.result, from_party: t.fromParty ?? null, transferee: t.transferee ?? null, to_party: t.toParty ?? null, destination: t.destination ?? null, method: t.method ?? null };
}

type Entry = { at: string; event: string } & Record<string, unknown>;

/**
 * A recorded call as a timeline: when it started, each leg rang, answered and ended, each
 * transfer, when the call was answered and ended. In time order; at one instant, in the
 * order things happen (ringing before answer before end).
 */
export function timeline(call: CallRow, legs: CallLegRow[], transfers: CallTransferRow[]): Entry[] {
  const entries: Array<{ ms: number; rank: number; entry: Entry }> = [];
  const add = (ms: number | null, rank: number, event: string, extra: Record<string, unknown> = {}) => {
    if (ms !== null) entries.push({ ms, rank, entry: { at: iso(ms), event, ...extra } });
  };
  add(call.startedAt, 0, "call.started", { direction: call.direction, external_number: call.externalNumber, did: call.did });
  add(call.queueJoinedAt, 1, "queue.joined", { queue: call.queue });
  for (const leg of legs) {
    const who = { leg: leg.number ?? leg.endpoint, endpoint: leg.endpoint, role: leg.role, ...(leg.member ? { member: leg.member } : {}), ...(leg.queue ? { queue: leg.queue } : {}) };
    add(leg.ringAt, 1, "leg.ringing", who);
    add(leg.answeredAt, 2, "leg.answered", who);
    add(leg.endedAt, 4, "leg.ended", { ...who, dial_status: leg.dialStatus, hangup_cause: leg.hangupCause });
  }
  add(call.answeredAt, 3, "call.answered", { answered_extension: call.answeredExtension, answered_by: call.answeredBy });
  for (const t of transfers) add(t.at, 3, `call.transferred`, { kind: t.kind, result: t.result, from: t.fromParty, transferee: t.transferee, to: t.toParty, destination: t.destination });
  add(call.endedAt, 5, "call.ended", { status: call.status, hangup_cause: call.hangupCause, hangup_cause_text: call.hangupCauseText });
  return entries.sort((a, b) => a.ms - b.ms || a.rank - b.rank).map((e) => e.entry);
}
