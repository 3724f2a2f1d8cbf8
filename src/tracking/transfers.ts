import type { AmiMessage } from "../ami/message.ts";
import type { Tracker } from "./tracker.ts";
import type { CallRec } from "./types.ts";

/**
 * Transfers and pickups, from the Asterisk 22 event reference (main/stasis_bridges.c,
 * main/pickup.c): each channel in them is a channel snapshot with a prefix.
 *
 * BlindTransfer: Transferer* hands Transferee* to Extension@Context; whoever answers there
 * next is the party it went to.
 * AttendedTransfer: OrigTransferer* (talking to Transferee*) and SecondTransferer* (talking to
 * TransferTarget*) are the transferer's two channels; the two conversations become one.
 * Pickup: Channel* (the phone picking up) takes Target* (the phone that was ringing); the
 * picker's own call (it dialled the pickup code) becomes part of the ringing call.
 */
export function onBlindTransfer(tracker: Tracker, message: AmiMessage, at: number): void {
  const transferer = tracker.channelOf(message, "Transferer", at);
  const transferee = tracker.channelOf(message, "Transferee", at);
  const call = transferee?.call ?? transferer?.call;
  if (!call) return;
  if (transferer && transferer.call !== call) tracker.merge(transferer.call, call, at);
  const exten = message.get("Extension");
  const context = message.get("Context");
  tracker.transferred(
    call,
    {
      kind: "blind",
      at,
      result: message.get("Result") ?? "",
      fromLeg: transferer?.leg.id,
      transfereeLeg: transferee?.leg.id,
      destination: exten ? (context ? `${exten}@${context}` : exten) : undefined,
    },
    at,
  );
}

export function onAttendedTransfer(tracker: Tracker, message: AmiMessage, at: number): void {
  const first = tracker.channelOf(message, "OrigTransferer", at);
  const second = tracker.channelOf(message, "SecondTransferer", at);
  const transferee = tracker.channelOf(message, "Transferee", at);
  const target = tracker.channelOf(message, "TransferTarget", at);
  const calls = [first, second, transferee, target].flatMap((c) => (c ? [c.call] : []));
  if (!calls.length) return;
  const result = message.get("Result") ?? "";
  // The conversation that existed first survives (Asterisk keeps the oldest Linkedid too).
  const call = result === "Success" ? mergeAll(tracker, calls, at) : (transferee ?? first)!.call;
  tracker.transferred(
    call,
    { kind: "attended", at, result, fromLeg: first?.leg.id, transfereeLeg: transferee?.leg.id, toLeg: target?.leg.id, method: message.get("DestType") },
    at,
  );
  if (result === "Success" && target && target.call === call) tracker.answered(call, target.leg, at);
}

export function onPickup(tracker: Tracker, message: AmiMessage, at: number): void {
  const picker = tracker.channelOf(message, "", at);
  const ringing = tracker.channelOf(message, "Target", at);
  if (!picker || !ringing) return;
  const call = tracker.merge(picker.call, ringing.call, at);
  picker.leg.role = "pickup";
  picker.leg.dialedBy ??= ringing.leg.dialedBy;
  ringing.leg.pickedUpBy = picker.leg.id;
  tracker.transferred(call, { kind: "pickup", at, result: "Success", fromLeg: ringing.leg.id, transfereeLeg: ringing.leg.dialedBy, toLeg: picker.leg.id }, at);
  tracker.answered(call, picker.leg, at);
}

function mergeAll(tracker: Tracker, calls: CallRec[], at: number): CallRec {
  const oldest = calls.reduce((a, b) => (b.seq < a.seq ? b : a));
  for (const call of new Set(calls)) if (call !== oldest) tracker.merge(call, oldest, at);
  return oldest;
}
