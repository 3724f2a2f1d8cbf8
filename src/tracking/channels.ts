import type { AmiMessage } from "../ami/message.ts";
import { endpointOf, localHalf } from "./names.ts";
import type { Tracker } from "./tracker.ts";
import type { ChannelRec, Leg } from "./types.ts";

export interface NewChannel {
  uniqueid: string;
  name: string;
  linkedid: string;
  /** The event (or snapshot item) that told us, and the prefix of its channel headers. */
  message: AmiMessage;
  prefix: string;
  at: number;
  /** First heard of mid-call or from a snapshot: its call has a gap. */
  adopted: boolean;
  createdAt: number;
}

/**
 * A channel joins the call of its Linkedid (a new call if none): as a new leg, or as the
 * second half of a Local pair, which with the first half is one party of the call.
 */
export function addChannel(tracker: Tracker, channel: NewChannel): ChannelRec {
  const { uniqueid, name, linkedid, message, prefix, at, adopted, createdAt } = channel;
  let call = tracker.byLinkedid.get(linkedid);
  const created = !call;
  if (!call) {
    call = { id: linkedid, linkedid, linkedids: [linkedid], seq: tracker.nextSeq(), legs: new Map(), originLeg: uniqueid, startedAt: createdAt, originated: false, transfers: [], gap: adopted, live: 0 };
    tracker.byLinkedid.set(linkedid, call);
    tracker.active.set(call.id, call);
  } else if (adopted) {
    call.gap = true;
  }
  const rec: ChannelRec = {
    uniqueid,
    name,
    linkedid,
    leg: undefined as unknown as Leg,
    call,
    state: Number(message.get(`${prefix}ChannelState`) ?? 0),
    callerNum: message.get(`${prefix}CallerIDNum`) ?? "",
    callerName: message.get(`${prefix}CallerIDName`) ?? "",
    connectedNum: message.get(`${prefix}ConnectedLineNum`) ?? "",
    context: message.get(`${prefix}Context`) ?? "",
    exten: message.get(`${prefix}Exten`) ?? "",
    createdAt,
    seenAt: at,
  };
  const local = localHalf(name);
  const pair = local ? (tracker.locals.get(local.base) ?? {}) : undefined;
  const partner = local && pair ? pair[local.half === 1 ? 2 : 1] : undefined;
  if (local && pair) {
    rec.localBase = local.base;
    rec.localHalf = local.half;
    pair[local.half] = rec;
    tracker.locals.set(local.base, pair);
  }
  if (partner && partner.call === call) {
    // The two halves of a Local pair are one party of the call.
    rec.leg = partner.leg;
    partner.leg.channels.push(rec);
  } else {
    const endpoint = endpointOf(name);
    rec.leg = {
      id: uniqueid,
      channels: [rec],
      endpoint,
      local: local !== undefined,
      trunk: tracker.options.isTrunk(name, endpoint),
      role: call.legs.size === 0 ? "origin" : "other",
    };
    call.legs.set(uniqueid, rec.leg);
  }
  tracker.channels.set(uniqueid, rec);
  call.live++;
  if (created) tracker.bus.emit("call.started", { call, at });
  return rec;
}
