import type { CallRec, Leg } from "../tracking/types.ts";
import type { Kind, Outcome } from "./types.ts";

/** What OriginateResponse said: a hint only (it may come before, between or after the Hangups). */
export interface OriginateHint {
  response: string;
  reason: string;
}

export interface DialOutcome {
  outcome: Outcome;
  /** The party it is about: click-to-call's first leg (the manager's extension), or the customer. */
  stage: "extension" | "customer";
  detail: string;
}

/** OriginateResponse Reason (enum ast_control_frame_type): 4 answered, 5 busy, 3 no answer (ringing), 8 congestion, 1 hung up, 0 failed. */
export function hintOutcome(hint: OriginateHint): Outcome {
  if (hint.response === "Success") return "answered";
  switch (hint.reason) {
    case "5":
      return "busy";
    case "3":
      return "no_answer";
    case "8":
      return "congestion";
    case "4":
      return "answered";
    default:
      return "failed";
  }
}

const DIAL_STATUS: Record<string, Outcome> = { BUSY: "busy", NOANSWER: "no_answer", CONGESTION: "congestion", CHANUNAVAIL: "congestion", CANCEL: "cancelled", ANSWER: "answered" };

/** Q.850 causes that say why an unanswered call ended (0, "unknown", says nothing: a Local ;1 gives it). */
function causeOutcome(cause: number): Outcome | undefined {
  if (cause === 17 || cause === 21) return "busy"; // user busy; call rejected (declined)
  if (cause === 18 || cause === 19) return "no_answer"; // no user responding; no answer
  if ([34, 38, 41, 42, 44, 47].includes(cause)) return "congestion"; // no circuit, network out of order, temporary failure, switch congestion...
  if ([1, 3, 27, 28].includes(cause)) return "failed"; // unallocated number, no route, destination out of order, invalid format
  return undefined;
}

function answered(leg: Leg): boolean {
  // DialEnd ANSWER (Originate's own dial, or the AGI's Dial); Up for a channel adopted from a snapshot.
  return leg.answeredAt !== undefined || leg.dialStatus === "ANSWER" || leg.channels.some((c) => c.state === 6);
}

/** Why an unanswered leg ended: its DialStatus, else its channels' causes (;2 has the real one), else undefined. */
function failure(leg: Leg): { outcome: Outcome; why: string } | undefined {
  const status = leg.dialStatus ? DIAL_STATUS[leg.dialStatus] : undefined;
  if (status && status !== "answered") return { outcome: status, why: `DialStatus ${leg.dialStatus}` };
  for (const channel of leg.channels) {
    const outcome = channel.cause ? causeOutcome(channel.cause) : undefined;
    if (outcome) return { outcome, why: `hangup cause ${channel.cause}${channel.causeText ? ` (${channel.causeText})` : ""}` };
  }
  return undefined;
}

/**
 * How a dial ended, from its tracked call. The first leg is the channel Originate created
 * (its uniqueid is the call id). Callback and message: the first leg is the customer.
 * Click-to-call: the first leg is the manager's phone; once it answered, the customer is the
 * leg the outbound script dialled. `cancelled`: ivr hung the call up itself (a cancel).
 */
export function dialOutcome(call: CallRec, dial: { kind: Kind; callId: string; hint?: OriginateHint; cancelled?: boolean }): DialOutcome {
  const first = [...call.legs.values()].find((leg) => leg.channels.some((c) => c.uniqueid === dial.callId)) ?? call.legs.get(call.originLeg)!;
  const customerFirst = dial.kind !== "click-to-call";
  if (!answered(first)) return unanswered(first, customerFirst ? "customer" : "extension", dial);
  if (customerFirst) return { outcome: "answered", stage: "customer", detail: "the customer answered" };

  const customers = [...call.legs.values()].filter((leg) => leg !== first);
  const reached = customers.find(answered);
  if (reached) return { outcome: "answered", stage: "customer", detail: `the customer answered after extension ${first.endpoint}` };
  if (customers.length === 0) {
    return { outcome: dial.cancelled ? "cancelled" : "failed", stage: "customer", detail: "the extension answered but the customer was not dialled (it hung up first, or the outbound script failed)" };
  }
  for (const leg of customers) {
    const why = failure(leg);
    if (why) return { outcome: why.outcome, stage: "customer", detail: `the customer: ${why.why}` };
  }
  return { outcome: dial.cancelled ? "cancelled" : "no_answer", stage: "customer", detail: "the customer did not answer" };
}

function unanswered(first: Leg, stage: DialOutcome["stage"], dial: { hint?: OriginateHint; cancelled?: boolean }): DialOutcome {
  if (dial.cancelled) return { outcome: "cancelled", stage, detail: "cancelled: ivr hung up the call" };
  const who = stage === "extension" ? `extension ${first.endpoint}` : "the customer";
  const why = failure(first);
  if (why) return { outcome: why.outcome, stage, detail: `${who}: ${why.why}` };
  if (dial.hint) return { outcome: hintOutcome(dial.hint), stage, detail: `${who}: OriginateResponse ${dial.hint.response} reason ${dial.hint.reason}` };
  return { outcome: first.ringAt !== undefined ? "no_answer" : "failed", stage, detail: `${who}: ${first.ringAt !== undefined ? "rang, not answered" : "never rang"}` };
}
