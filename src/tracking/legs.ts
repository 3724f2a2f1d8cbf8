import type { AmiMessage } from "../ami/message.ts";
import type { Tracker } from "./tracker.ts";
import type { CallRec, Leg } from "./types.ts";

/**
 * Dial attempts, queues and queue members. Every DialBegin is a ring attempt of the dialed
 * leg: a ringall queue with ten members is one call with ten legs, one of them answered.
 * A DialBegin without a calling channel is an Originate (or the dial API) placing the call's
 * first leg. A real phone dialed by the inner half (;2) of a Local channel that was itself
 * dialed (a queue member `Local/100@agents/n` dialing `PJSIP/100`) stands for that Local leg:
 * it is reported as the member that answered.
 */
export function onDial(tracker: Tracker, event: string, message: AmiMessage, at: number): void {
  const dest = tracker.channelOf(message, "Dest", at);
  if (!dest) return;
  const caller = tracker.channelOf(message, "", at);
  let call = dest.call;
  if (caller && caller.call !== call) call = tracker.merge(call, caller.call, at);
  const leg = dest.leg;

  if (event === "DialBegin") {
    leg.dialString = message.get("DialString");
    if (!caller) {
      call.originated = true;
    } else {
      if (leg.role === "other") leg.role = "dialed";
      leg.dialedBy = caller.leg.id;
      if (caller.localHalf === 2 && caller.leg.role !== "origin" && caller.leg !== leg) leg.via = caller.leg.id;
    }
    tracker.ringing(call, leg, at);
    return;
  }

  const status = message.get("DialStatus") ?? "";
  if (event === "DialState") return; // RINGING/PROCEEDING/PROGRESS: ringing is already known
  leg.dialStatus = status;
  if (status !== "ANSWER") return;
  leg.answeredAt ??= at;
  // A call is answered when a party is connected to it: not when an Originate's first leg
  // picks up, and not when a Local member's inner half reaches the phone (the outer Dial
  // answering completes it).
  if (!caller || isInnerLocal(caller.leg, call)) return;
  tracker.answered(call, realParty(call, leg), at);
}

export function onQueue(tracker: Tracker, event: string, message: AmiMessage, at: number): void {
  const rec = tracker.channelOf(message, "", at);
  if (!rec) return;
  const call = rec.call;
  const name = message.get("Queue") ?? "";
  if (event === "QueueCallerJoin") {
    call.queue = { name, joinedAt: at, abandoned: false };
    return;
  }
  if (!call.queue) return;
  call.queue.leftAt ??= at;
  if (event === "QueueCallerAbandon") {
    call.queue.abandoned = true;
    call.queue.holdSeconds = seconds(message.get("HoldTime"));
  }
}

export function onAgent(tracker: Tracker, event: string, message: AmiMessage, at: number): void {
  const member = tracker.channelOf(message, "Dest", at);
  const caller = tracker.channelOf(message, "", at);
  if (!member) return;
  const leg = member.leg;
  leg.queue = message.get("Queue") ?? leg.queue;
  leg.interface = message.get("Interface") ?? leg.interface;
  leg.member = message.get("MemberName") ?? leg.member;
  const call = caller?.call ?? member.call;
  if (event === "AgentConnect") {
    if (call.queue) call.queue.holdSeconds = seconds(message.get("HoldTime"));
    tracker.answered(call, realParty(call, leg), at);
  } else if (event === "AgentComplete") {
    const talk = seconds(message.get("TalkTime"));
    leg.talkSeconds = talk;
    if (call.queue) {
      call.queue.talkSeconds = talk;
      call.queue.holdSeconds ??= seconds(message.get("HoldTime"));
    }
  } else if (event === "AgentRingNoAnswer") {
    leg.dialStatus ??= "NOANSWER";
  }
}

/** For a Local leg, the real phone its inner half connected (the answered leg dialed through it). */
export function realParty(call: CallRec, leg: Leg): Leg {
  if (!leg.local) return leg;
  let answered: Leg | undefined;
  for (const other of call.legs.values()) if (other.via === leg.id && other.answeredAt !== undefined) answered = other;
  return answered ?? leg;
}

/** The inner half of a dialed Local channel: what it dials stands for the Local leg itself. */
function isInnerLocal(leg: Leg, call: CallRec): boolean {
  return leg.local && leg.role !== "origin" && leg.id !== call.originLeg;
}

function seconds(value: string | undefined): number | undefined {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) ? n : undefined;
}
