import type { AmiMessage } from "../ami/message.ts";
import { bridged, bridgeMembers } from "./bridges.ts";
import { durationSeconds } from "./names.ts";
import type { Tracker } from "./tracker.ts";
import type { ChannelRec } from "./types.ts";

export interface Reconciled {
  /** Channels we held that Asterisk no longer has: they hung up while we were not listening. */
  closed: number;
  /** Channels Asterisk has that we did not know: calls that started while we were away. */
  adopted: number;
  /** Calls that ended because of the snapshot. */
  callsEnded: number;
}

/**
 * Asterisk never replays events, so after every (re)connect the tracker is compared with a
 * CoreShowChannels snapshot (its CoreShowChannel events). Channels we hold that are not in
 * it hung up while we were away: they are closed at the best time known (when the gap
 * began), their calls marked as having a gap. Channels we did not know are adopted, their
 * age from Duration. Only channels last heard of before the snapshot was asked for are
 * closed, and recently ended ones are never adopted, so events racing the snapshot do not
 * confuse it.
 */
export function reconcile(tracker: Tracker, snapshot: readonly AmiMessage[], options: { requestedAt: number; at: number; gapSince?: number }): Reconciled {
  const { requestedAt, at } = options;
  const listed = new Map<string, AmiMessage>();
  for (const item of snapshot) {
    const uniqueid = item.get("Uniqueid");
    if (uniqueid) listed.set(uniqueid, item);
  }
  if (options.gapSince !== undefined) for (const call of tracker.active.values()) call.gap = true;

  const endedBefore = tracker.counts.callsEnded;
  let closed = 0;
  for (const rec of [...tracker.channels.values()]) {
    const item = listed.get(rec.uniqueid);
    if (item) {
      tracker.channelOf(item, "", at);
      rec.seenAt = at;
    } else if (rec.seenAt < requestedAt && rec.hungUpAt === undefined) {
      rec.call.gap = true;
      tracker.hangUp(rec, Math.min(options.gapSince ?? requestedAt, at));
      closed++;
    }
  }

  const unknown = [...listed.values()]
    .filter((item) => !tracker.channels.has(item.get("Uniqueid")!) && !tracker.endedRecently(item.get("Uniqueid")!))
    .map((item) => ({ item, createdAt: at - (durationSeconds(item.get("Duration")) ?? 0) * 1000 }))
    // The call's first channel (whose uniqueid is its Linkedid) first, then by age: it is the origin.
    .sort((a, b) => rank(a.item) - rank(b.item) || a.createdAt - b.createdAt);
  const adopted: ChannelRec[] = [];
  for (const { item, createdAt } of unknown) {
    const uniqueid = item.get("Uniqueid")!;
    const rec = tracker.addChannel(uniqueid, item.get("Channel") ?? uniqueid, item.get("Linkedid") || uniqueid, item, "", at, true, createdAt);
    adopted.push(rec);
  }
  for (const rec of adopted) {
    const bridge = listed.get(rec.uniqueid)?.get("BridgeId");
    if (!bridge) continue;
    const members = bridgeMembers(tracker, bridge);
    members.add(rec);
    rec.bridge = bridge;
    // Already talking when we arrived: answered at the latest when the younger of the two appeared.
    for (const other of members) if (other !== rec) bridged(tracker, rec, [other], Math.max(rec.createdAt, other.createdAt));
  }
  return { closed, adopted: adopted.length, callsEnded: tracker.counts.callsEnded - endedBefore };
}

const rank = (item: AmiMessage) => (item.get("Uniqueid") === item.get("Linkedid") ? 0 : 1);
