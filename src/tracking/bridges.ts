import type { AmiMessage } from "../ami/message.ts";
import type { Tracker } from "./tracker.ts";
import type { ChannelRec } from "./types.ts";

/**
 * Who is in which bridge (BridgeEnter/BridgeLeave; BridgeDestroy forgets the bridge). Two
 * parties of one call meeting in a bridge are talking, which answers a call that no Dial
 * answered (a transfer completed, a call adopted from a snapshot).
 */
export function onBridge(tracker: Tracker, event: string, message: AmiMessage, at: number): void {
  const rec = tracker.channelOf(message, "", at);
  const id = message.get("BridgeUniqueid");
  if (!rec || !id) return;
  if (event === "BridgeLeave") {
    tracker.bridges.get(id)?.delete(rec);
    if (rec.bridge === id) rec.bridge = undefined;
    return;
  }
  const members = bridgeMembers(tracker, id);
  members.add(rec);
  rec.bridge = id;
  bridged(tracker, rec, members, at);
}

/** Two parties of a call in one bridge are talking: answered, if no Dial said so (e.g. after a transfer). */
export function bridged(tracker: Tracker, rec: ChannelRec, members: Iterable<ChannelRec>, at: number): void {
  const call = rec.call;
  for (const other of members) {
    if (other.leg === rec.leg || other.call !== call) continue;
    const origin = call.legs.get(call.originLeg);
    const party = other.leg === origin ? rec.leg : rec.leg === origin ? other.leg : undefined;
    if (party && call.answeredAt === undefined) tracker.answered(call, party, at);
  }
}

/** The channels in a bridge (created empty if unknown: a snapshot may name it first). */
export function bridgeMembers(tracker: Tracker, id: string): Set<ChannelRec> {
  let members = tracker.bridges.get(id);
  if (!members) tracker.bridges.set(id, (members = new Set()));
  return members;
}
