import type { CallStatus as HistoryStatus } from "../ivr/outcome.ts";

/**
 * The tracker's state: channels (Asterisk's unit, one per uniqueid), legs (a party of the
 * call: one channel, or both halves of a Local pair) and calls (one conversation: the
 * channels sharing a Linkedid, merged when Asterisk links two of them). Times are
 * milliseconds since the epoch.
 */

export type Direction = "inbound" | "outbound" | "internal";

/** The statuses AMI can tell: those of the history's one list (the IVR's words for the same outcomes). */
export type CallStatus = Extract<HistoryStatus, "answered" | "busy" | "no_answer" | "unavailable" | "abandoned" | "failed">;

export interface ChannelRec {
  uniqueid: string;
  name: string;
  linkedid: string;
  leg: Leg;
  call: CallRec;
  /** Asterisk's ChannelState: 4 Ring, 5 Ringing, 6 Up, 7 Busy. */
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  /** Context and extension when the channel appeared (for a trunk: the DID dialed). */
  context: string;
  exten: string;
  createdAt: number;
  hungUpAt?: number;
  cause?: number;
  causeText?: string;
  bridge?: string;
  /** Last time an event or a snapshot told us about this channel. */
  seenAt: number;
  /** `Local/100@agents-00000007` for both halves of a Local pair; the half is ;1 or ;2. */
  localBase?: string;
  localHalf?: 1 | 2;
}

export type LegRole = "origin" | "dialed" | "pickup" | "other";

export interface Leg {
  /** The uniqueid of the leg's first channel. */
  id: string;
  channels: ChannelRec[];
  /** The channel name without Asterisk's uniquifier: `PJSIP/101`, `Local/100@agents`. */
  endpoint: string;
  local: boolean;
  trunk: boolean;
  role: LegRole;
  dialString?: string;
  /** The leg this one was dialed from (its DialBegin's caller). */
  dialedBy?: string;
  /** The Local leg whose inner half dialed this real endpoint: the leg stands for it. */
  via?: string;
  queue?: string;
  /** Queue member: AgentCalled/AgentConnect Interface and MemberName. */
  interface?: string;
  member?: string;
  ringAt?: number;
  answeredAt?: number;
  endedAt?: number;
  dialStatus?: string;
  talkSeconds?: number;
  /** For a leg picked up by another phone: the leg that picked it up. */
  pickedUpBy?: string;
}

export type TransferKind = "blind" | "attended" | "pickup";

export interface Transfer {
  kind: TransferKind;
  at: number;
  /** Asterisk's Result (Success, Fail, Invalid, Not Permitted); pickups are always Success. */
  result: string;
  /** Who transferred (the transferer's leg), or for a pickup the phone that rang. */
  fromLeg?: string;
  /** The party handed over (the transferee). */
  transfereeLeg?: string;
  /** The party it went to: attended transfer target, picker; for blind, filled when answered. */
  toLeg?: string;
  /** Blind transfer destination as dialled: `Extension@Context`. */
  destination?: string;
  /** AttendedTransfer DestType: Bridge, App, Link, Threeway, Fail. */
  method?: string;
}

export interface QueueVisit {
  name: string;
  joinedAt: number;
  leftAt?: number;
  abandoned: boolean;
  /** Asterisk's own measures: AgentConnect/QueueCallerAbandon HoldTime, AgentComplete TalkTime. */
  holdSeconds?: number;
  talkSeconds?: number;
}

export interface CallRec {
  /** The first Linkedid seen: the call's name in the live API and the event stream. */
  id: string;
  /** The Linkedid Asterisk uses for the call now (the oldest of those merged). */
  linkedid: string;
  /** Every Linkedid that now belongs to this call (after merges). */
  linkedids: string[];
  /** Creation order: of two calls merged, the older survives (Asterisk keeps the oldest Linkedid). */
  seq: number;
  legs: Map<string, Leg>;
  originLeg: string;
  startedAt: number;
  ringingAt?: number;
  answeredAt?: number;
  /** The leg that answered first, and the one that has the call now (after transfers). */
  answeredLeg?: string;
  finalLeg?: string;
  endedAt?: number;
  /** Created by Originate or the dial API (a DialBegin with no calling channel). */
  originated: boolean;
  originate?: { actionId?: string; response: string; reason: string };
  queue?: QueueVisit;
  transfers: Transfer[];
  /** Part of the call happened while we were not listening (reconnect, overflow). */
  gap: boolean;
  /** Channels not yet hung up. */
  live: number;
}
