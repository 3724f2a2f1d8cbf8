import type { Tracker } from "./tracker.ts";
import type { CallRec } from "./types.ts";

/**
 * Two calls are one conversation (Asterisk gave a channel of one the other's Linkedid, or a
 * transfer or pickup joined them): everything of `from` becomes part of `into`, whose origin
 * stays the call's origin; `from` leaves the live calls and the merge is published.
 */
export function mergeCalls(tracker: Tracker, from: CallRec, into: CallRec, at: number): CallRec {
  if (from === into) return into;
  for (const [id, leg] of from.legs) {
    if (leg.role === "origin") leg.role = "other";
    into.legs.set(id, leg);
    for (const channel of leg.channels) channel.call = into;
  }
  for (const linkedid of from.linkedids) {
    into.linkedids.push(linkedid);
    tracker.byLinkedid.set(linkedid, into);
  }
  into.live += from.live;
  into.startedAt = Math.min(into.startedAt, from.startedAt);
  if (from.ringingAt !== undefined) into.ringingAt = Math.min(into.ringingAt ?? from.ringingAt, from.ringingAt);
  into.queue ??= from.queue;
  into.transfers = [...into.transfers, ...from.transfers].sort((a, b) => a.at - b.at);
  into.gap ||= from.gap;
  tracker.active.delete(from.id);
  tracker.bus.emit("call.merged", { from: from.id, into, at });
  return into;
}
