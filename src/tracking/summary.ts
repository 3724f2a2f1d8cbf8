import { extensionOf } from "../history/extension.ts";
import { realParty } from "./legs.ts";
import { known, numberInDialString, unescapeAmi } from "./names.ts";
import type { CallRec, CallStatus, Direction, Leg, LegRole, Transfer, TransferKind } from "./types.ts";

/** One party of a call as the API and the history show it. */
export interface LegSummary {
  uniqueid: string;
  channel: string;
  endpoint: string;
  role: LegRole;
  trunk: boolean;
  number: string | null;
  name: string | null;
  queue: string | null;
  member: string | null;
  /** The Local leg (a queue member's interface) this phone was reached through. */
  via: string | null;
  ringAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  ringSeconds: number | null;
  talkSeconds: number | null;
  dialStatus: string | null;
  cause: number | null;
}

export interface TransferSummary {
  kind: TransferKind;
  at: number;
  result: string;
  from: string | null;
  transferee: string | null;
  to: string | null;
  destination: string | null;
  method: string | null;
}

/** A call without its legs and transfers: what every event of the live stream carries. */
export type CallFields = Omit<CallSummary, "legs" | "transfers" | "uniqueids">;

/** A call as the live API, the event stream and the history see it. */
export interface CallSummary {
  id: string;
  linkedid: string;
  /** The uniqueid of the call's first channel. */
  uniqueid: string;
  uniqueids: string[];
  direction: Direction;
  state: "started" | "ringing" | "answered" | "ended";
  status: CallStatus | null;
  startedAt: number;
  ringingAt: number | null;
  answeredAt: number | null;
  endedAt: number | null;
  /** The outside party as Asterisk gave it: the caller (inbound) or the number dialled (outbound). */
  externalNumber: string | null;
  callerName: string | null;
  did: string | null;
  /** The trunk the call used. */
  line: string | null;
  /** The internal party that placed an outbound or internal call. */
  callerExtension: string | null;
  answeredBy: string | null;
  answeredExtension: string | null;
  queue: string | null;
  queueJoinedAt: number | null;
  queueAbandoned: boolean;
  waitSeconds: number | null;
  talkSeconds: number | null;
  hangupCause: number | null;
  hangupCauseText: string | null;
  transferred: boolean;
  gap: boolean;
  originate: CallRec["originate"] | null;
  legs: LegSummary[];
  transfers: TransferSummary[];
}

const seconds = (from: number | undefined, to: number | undefined) => (from === undefined || to === undefined ? null : Math.max(0, Math.round((to - from) / 1000)));

/**
 * Direction from the trunks, never from context names (they differ per dialplan): a call
 * that came in on a trunk is inbound (unless Originate created that trunk channel: then we
 * called them); a call that reached a trunk is outbound; the rest is internal.
 */
export function directionOf(call: CallRec): Direction {
  const origin = call.legs.get(call.originLeg);
  if (origin?.trunk && !(call.originated && !origin.local)) return "inbound";
  for (const leg of call.legs.values()) if (leg.trunk) return "outbound";
  return "internal";
}

export function summarize(call: CallRec): CallSummary {
  return {
    ...callFields(call),
    uniqueids: [...call.legs.values()].flatMap((leg) => leg.channels.map((c) => c.uniqueid)),
    legs: [...call.legs.values()].map((leg) => legSummary(call, leg)),
    transfers: call.transfers.map((t) => transferSummary(call, t)),
  };
}

export function callFields(call: CallRec): CallFields {
  const origin = call.legs.get(call.originLeg)!;
  const first = origin.channels[0]!;
  const direction = directionOf(call);
  const trunk = origin.trunk ? origin : [...call.legs.values()].find((leg) => leg.trunk);
  const partyId = call.finalLeg ?? call.answeredLeg;
  const party = partyId ? realParty(call, call.legs.get(partyId)!) : undefined;
  const answered = call.answeredAt !== undefined;
  const us = direction === "outbound" ? (answered ? origin : undefined) : party;
  const usEndpoint = us ? (us.local && us.interface ? us.interface : us.endpoint) : undefined;
  const queue = call.queue;
  const cause = hangupCause(call, party);
  return {
    id: call.id,
    linkedid: call.linkedid,
    uniqueid: first.uniqueid,
    direction,
    state: call.endedAt !== undefined ? "ended" : answered ? "answered" : call.ringingAt !== undefined ? "ringing" : "started",
    status: call.endedAt === undefined ? null : statusOf(call, direction),
    startedAt: call.startedAt,
    ringingAt: call.ringingAt ?? null,
    answeredAt: call.answeredAt ?? null,
    endedAt: call.endedAt ?? null,
    externalNumber: direction === "inbound" ? (known(first.callerNum) ?? null) : direction === "outbound" && trunk ? (dialledNumber(trunk) ?? null) : null,
    callerName: direction === "inbound" && known(first.callerName) ? unescapeAmi(first.callerName) : null,
    did: direction === "inbound" && first.exten && first.exten !== "s" ? first.exten : null,
    line: trunk?.endpoint ?? null,
    callerExtension: direction === "inbound" ? null : (extensionOf(origin.endpoint) ?? known(first.callerNum) ?? null),
    answeredBy: usEndpoint ?? null,
    answeredExtension: us ? (extensionOf(usEndpoint) ?? extensionOf(us.endpoint) ?? null) : null,
    queue: queue?.name ?? null,
    queueJoinedAt: queue?.joinedAt ?? null,
    queueAbandoned: queue?.abandoned ?? false,
    waitSeconds: queue?.holdSeconds ?? seconds(call.ringingAt ?? call.startedAt, call.answeredAt ?? call.endedAt),
    talkSeconds: answered ? (queue?.talkSeconds ?? seconds(call.answeredAt, call.endedAt)) : null,
    hangupCause: cause?.cause ?? null,
    hangupCauseText: cause?.text ?? null,
    transferred: call.transfers.some((t) => t.result === "Success"),
    gap: call.gap,
    originate: call.originate ?? null,
  };
}

/**
 * How the call ended, in the IVR's words. Answered when a party was connected; else what
 * the dial attempts said (DialStatus), else the hangup cause (Q.850: 17 busy, 18/19 no
 * answer); an inbound caller who gave up before anyone answered abandoned the call.
 */
export function statusOf(call: CallRec, direction: Direction = directionOf(call)): CallStatus {
  if (call.answeredAt !== undefined) return "answered";
  if (call.queue?.abandoned) return "abandoned";
  const statuses = new Set<string>();
  const causes = new Set<number>();
  for (const leg of call.legs.values()) {
    if (leg.dialStatus) statuses.add(leg.dialStatus);
    for (const channel of leg.channels) if (channel.cause) causes.add(channel.cause);
  }
  if (statuses.has("BUSY") || causes.has(17)) return "busy";
  if (statuses.has("CHANUNAVAIL") || statuses.has("CONGESTION")) return "unavailable";
  if (statuses.has("NOANSWER") || causes.has(18) || causes.has(19)) return "no_answer";
  if (direction === "inbound") return "abandoned";
  if ([1, 3, 20, 21, 27, 34, 38, 41, 42].some((c) => causes.has(c))) return "unavailable";
  if (call.originate?.response === "Failure" && !statuses.size) return "failed";
  return "no_answer";
}

/** The number a trunk leg reached: from the Dial string, else what Asterisk set as its caller id (the caller's exten). */
function dialledNumber(leg: Leg): string | undefined {
  const channel = leg.channels[0]!;
  return numberInDialString(leg.dialString) ?? known(channel.exten !== "s" ? channel.exten : undefined) ?? known(channel.callerNum);
}

/** The cause worth reporting: the origin's, else the party's, else any non-zero (a Local ;1 may say 0 while ;2 says 17). */
function hangupCause(call: CallRec, party: Leg | undefined): { cause: number; text?: string } | undefined {
  const legs = [call.legs.get(call.originLeg), party, ...call.legs.values()];
  for (const leg of legs) {
    for (const channel of leg?.channels ?? []) {
      if (channel.cause) return { cause: channel.cause, text: channel.causeText };
    }
  }
  const any = call.legs.get(call.originLeg)?.channels.find((c) => c.cause !== undefined);
  return any ? { cause: any.cause!, text: any.causeText } : undefined;
}

export function legSummary(call: CallRec, leg: Leg): LegSummary {
  const channel = leg.channels[0]!;
  const origin = leg.id === call.originLeg;
  const answeredAt = origin ? call.answeredAt : leg.answeredAt;
  const number = leg.trunk ? (origin ? known(channel.callerNum) : dialledNumber(leg)) : (extensionOf(leg.endpoint) ?? known(channel.callerNum) ?? numberInDialString(leg.dialString));
  return {
    uniqueid: leg.id,
    channel: channel.name,
    endpoint: leg.endpoint,
    role: leg.role,
    trunk: leg.trunk,
    number: number ?? null,
    name: origin && known(channel.callerName) ? unescapeAmi(channel.callerName) : null,
    queue: leg.queue ?? null,
    member: leg.member ?? null,
    via: leg.via ? (call.legs.get(leg.via)?.interface ?? call.legs.get(leg.via)?.endpoint ?? null) : null,
    ringAt: leg.ringAt ?? null,
    answeredAt: answeredAt ?? null,
    endedAt: leg.endedAt ?? null,
    ringSeconds: origin ? null : seconds(leg.ringAt, leg.answeredAt ?? leg.endedAt),
    talkSeconds: answeredAt === undefined ? null : (leg.talkSeconds ?? seconds(answeredAt, leg.endedAt)),
    dialStatus: leg.dialStatus ?? null,
    cause: leg.channels.find((c) => c.cause)?.cause ?? leg.channels[0]?.cause ?? null,
  };
}

export function transferSummary(call: CallRec, transfer: Transfer): TransferSummary {
  const describe = (id: string | undefined) => {
    const leg = id ? call.legs.get(id) : undefined;
    if (!leg) return null;
    const real = realParty(call, leg);
    return extensionOf(real.endpoint) ?? known(real.channels[0]?.callerNum) ?? real.endpoint;
  };
  return {
    kind: transfer.kind,
    at: transfer.at,
    result: transfer.result,
    from: describe(transfer.fromLeg),
    transferee: describe(transfer.transfereeLeg),
    to: describe(transfer.toLeg),
    destination: transfer.destination ?? null,
    method: transfer.method ?? null,
  };
}
