import type { AmiMessage } from "../ami/message.ts";
import { EventBus } from "./bus.ts";
import { onBridge } from "./bridges.ts";
import { onAgent, onDial, onQueue } from "./legs.ts";
import { mergeCalls } from "./merge.ts";
import { addChannel } from "./channels.ts";
import { known, STATE_RINGING, STATE_UP } from "./names.ts";
import { onAttendedTransfer, onBlindTransfer, onPickup } from "./transfers.ts";
import type { CallRec, ChannelRec, Leg, Transfer } from "./types.ts";

export interface TrackerEvents extends Record<string, unknown> {
  "call.started": { call: CallRec; at: number };
  "call.ringing": { call: CallRec; leg: Leg; at: number };
  "call.answered": { call: CallRec; leg: Leg; at: number };
  "call.transferred": { call: CallRec; transfer: Transfer; at: number };
  /** `from` (a call id) is now part of `into`: the two were one conversation. */
  "call.merged": { from: string; into: CallRec; at: number };
  "call.ended": { call: CallRec; at: number };
  /** OriginateResponse: the outcome of an Originate (`call` when its channel is known). */
  originate: { actionId?: string; uniqueid?: string; channel?: string; response: string; reason: string; call?: CallRec; at: number };
}

export interface TrackerOptions {
  /** Whether a channel is a trunk (an outside line): decides inbound/outbound/internal. */
  isTrunk: (channel: string, endpoint: string) => boolean;
  /** How long the uniqueids of ended calls are remembered, so late events cannot revive them. */
  endedMemoryMs?: number;
  onListenerError?: (type: string, error: unknown) => void;
}

const ENDED_MEMORY_MS = 60_000;
const ENDED_MEMORY_MAX = 20_000;

/**
 * Calls from AMI events: a pure state machine over parsed messages (no I/O, no clock: the
 * time of each event is its Timestamp header when Asterisk sends one, else the time given
 * with it). The same code runs on a live socket, a recorded stream and a benchmark.
 * Changes are published on `bus`; a call leaves the tracker when its last channel hangs up.
 */
export class Tracker {
  readonly bus: EventBus<TrackerEvents>;
  readonly channels = new Map<string, ChannelRec>();
  /** Every Linkedid of every active call, to its call. */
  readonly byLinkedid = new Map<string, CallRec>();
  readonly active = new Map<string, CallRec>();
  /** The halves of each Local pair, by the pair's common name. */
  readonly locals = new Map<string, { 1?: ChannelRec; 2?: ChannelRec }>();
  /** Bridges and the channels in them (BridgeEnter/BridgeLeave), to see who talks to whom. */
  readonly bridges = new Map<string, Set<ChannelRec>>();
  private readonly ended = new Map<string, number>();
  private seq = 0;
  readonly counts = { events: 0, callsEnded: 0 };

  constructor(readonly options: TrackerOptions) {
    this.bus = new EventBus<TrackerEvents>(options.onListenerError);
  }

  handle(message: AmiMessage, receivedAt: number): void {
    const event = message.get("Event");
    if (event === undefined) return;
    this.counts.events++;
    const stamp = message.get("Timestamp");
    const at = stamp ? Math.round(Number(stamp) * 1000) || receivedAt : receivedAt;
    switch (event) {
      case "Newchannel":
        this.channelOf(message, "", at, true);
        return;
      case "Newstate":
      case "NewCallerid":
      case "NewConnectedLine":
        this.onState(message, at);
        return;
      case "DialBegin":
      case "DialEnd":
      case "DialState":
        onDial(this, event, message, at);
        return;
      case "QueueCallerJoin":
      case "QueueCallerLeave":
      case "QueueCallerAbandon":
        onQueue(this, event, message, at);
        return;
      case "AgentCalled":
      case "AgentConnect":
      case "AgentComplete":
      case "AgentRingNoAnswer":
        onAgent(this, event, message, at);
        return;
      case "BridgeEnter":
      case "BridgeLeave":
        onBridge(this, event, message, at);
        return;
      case "BridgeDestroy":
        this.bridges.delete(message.get("BridgeUniqueid") ?? "");
        return;
      case "BlindTransfer":
        onBlindTransfer(this, message, at);
        return;
      case "AttendedTransfer":
        onAttendedTransfer(this, message, at);
        return;
      case "Pickup":
        onPickup(this, message, at);
        return;
      case "Rename":
        this.onRename(message);
        return;
      case "OriginateResponse":
        this.onOriginateResponse(message, at);
        return;
      case "Hangup":
        this.onHangup(message, at);
        return;
    }
  }

  /**
   * The channel an event is about, from its channel snapshot headers (`Channel`, `Uniqueid`,
   * `Linkedid`...; `Dest`-prefixed for the dialed side). A channel we have not seen (its
   * Newchannel came before we connected) is adopted, and its call marked as having a gap.
   * A Linkedid that changed means Asterisk linked two calls: they are merged.
   */
  channelOf(message: AmiMessage, prefix: string, at: number, isNew = false): ChannelRec | undefined {
    const uniqueid = message.get(`${prefix}Uniqueid`);
    if (!uniqueid) return undefined;
    const linkedid = message.get(`${prefix}Linkedid`) || uniqueid;
    let rec = this.channels.get(uniqueid);
    if (!rec) {
      const name = message.get(`${prefix}Channel`);
      if (!name || this.ended.has(uniqueid)) return undefined;
      rec = this.addChannel(uniqueid, name, linkedid, message, prefix, at, !isNew);
    } else if (rec.linkedid !== linkedid) {
      this.relink(rec, linkedid, at);
    }
    rec.seenAt = at;
    return rec;
  }

  addChannel(uniqueid: string, name: string, linkedid: string, message: AmiMessage, prefix: string, at: number, adopted: boolean, createdAt = at): ChannelRec {
    const rec = addChannel(this, { uniqueid, name, linkedid, message, prefix, at, adopted, createdAt });
    this.applyState(rec, message, prefix, at);
    return rec;
  }

  nextSeq(): number {
    return this.seq++;
  }

  private onState(message: AmiMessage, at: number): void {
    const rec = this.channelOf(message, "", at);
    if (rec) this.applyState(rec, message, "", at);
  }

  private applyState(rec: ChannelRec, message: AmiMessage, prefix: string, at: number): void {
    const state = Number(message.get(`${prefix}ChannelState`) ?? rec.state);
    const callerNum = known(message.get(`${prefix}CallerIDNum`));
    if (callerNum) rec.callerNum = callerNum;
    const callerName = known(message.get(`${prefix}CallerIDName`));
    if (callerName) rec.callerName = callerName;
    const connected = known(message.get(`${prefix}ConnectedLineNum`));
    if (connected) rec.connectedNum = connected;
    if (state === rec.state) return;
    rec.state = state;
    if (state === STATE_RINGING) this.ringing(rec.call, rec.leg, at);
    if (state === STATE_UP && rec.leg.role !== "origin") rec.leg.answeredAt ??= at;
  }

  ringing(call: CallRec, leg: Leg, at: number): void {
    if (leg.ringAt !== undefined) return;
    leg.ringAt = at;
    call.ringingAt ??= at;
    this.bus.emit("call.ringing", { call, leg, at });
  }

  /** The call now has a party connected: the first answer, or a later party (after a transfer or pickup). */
  answered(call: CallRec, leg: Leg, at: number): void {
    leg.answeredAt ??= at;
    if (call.answeredAt === undefined) {
      call.answeredAt = at;
      call.answeredLeg = leg.id;
      this.bus.emit("call.answered", { call, leg, at });
    } else if (call.finalLeg !== leg.id && call.answeredLeg !== leg.id) {
      call.finalLeg = leg.id;
      const blind = call.transfers.findLast((t) => t.kind === "blind" && t.toLeg === undefined && t.result === "Success");
      if (blind) blind.toLeg = leg.id;
    }
  }

  transferred(call: CallRec, transfer: Transfer, at: number): void {
    call.transfers.push(transfer);
    this.bus.emit("call.transferred", { call, transfer, at });
  }

  /** Asterisk gave a channel another call's Linkedid (the oldest wins when channels meet in a bridge). */
  private relink(rec: ChannelRec, linkedid: string, at: number): void {
    rec.linkedid = linkedid;
    const target = this.byLinkedid.get(linkedid);
    if (!target) {
      rec.call.linkedid = linkedid;
      rec.call.linkedids.push(linkedid);
      this.byLinkedid.set(linkedid, rec.call);
    } else if (target !== rec.call) {
      this.merge(rec.call, target, at);
    }
  }

  /** Everything of `from` becomes part of `into`; `from` is gone from the live calls. */
  merge(from: CallRec, into: CallRec, at: number): CallRec {
    return mergeCalls(this, from, into, at);
  }

  private onRename(message: AmiMessage): void {
    const rec = this.channels.get(message.get("Uniqueid") ?? "");
    const name = message.get("Newname");
    if (rec && name) rec.name = name;
  }

  private onOriginateResponse(message: AmiMessage, at: number): void {
    const uniqueid = known(message.get("Uniqueid"));
    const rec = uniqueid ? this.channels.get(uniqueid) : undefined;
    const result = { response: message.get("Response") ?? "", reason: message.get("Reason") ?? "", actionId: message.get("ActionID") };
    if (rec) rec.call.originate = result;
    this.bus.emit("originate", { ...result, uniqueid, channel: message.get("Channel"), call: rec?.call, at });
  }

  private onHangup(message: AmiMessage, at: number): void {
    const rec = this.channelOf(message, "", at);
    if (!rec) return;
    const cause = Number(message.get("Cause"));
    this.hangUp(rec, at, Number.isFinite(cause) ? cause : undefined, message.get("Cause-txt"));
  }

  /** A channel is gone (its Hangup, or missing from a snapshot); the call ends with its last channel. */
  hangUp(rec: ChannelRec, at: number, cause?: number, causeText?: string): void {
    if (rec.hungUpAt !== undefined) return;
    rec.hungUpAt = at;
    rec.cause = cause;
    rec.causeText = causeText;
    if (rec.bridge) this.bridges.get(rec.bridge)?.delete(rec);
    if (rec.leg.channels.every((c) => c.hungUpAt !== undefined)) rec.leg.endedAt = at;
    const call = rec.call;
    if (--call.live > 0) return;
    call.endedAt = at;
    for (const leg of call.legs.values()) {
      leg.endedAt ??= at;
      for (const channel of leg.channels) this.forget(channel, at);
    }
    for (const linkedid of call.linkedids) this.byLinkedid.delete(linkedid);
    this.active.delete(call.id);
    this.counts.callsEnded++;
    this.bus.emit("call.ended", { call, at });
  }

  private forget(channel: ChannelRec, at: number): void {
    this.channels.delete(channel.uniqueid);
    if (channel.localBase) this.locals.delete(channel.localBase);
    if (channel.bridge) {
      const members = this.bridges.get(channel.bridge);
      members?.delete(channel);
      if (members?.size === 0) this.bridges.delete(channel.bridge);
    }
    this.ended.set(channel.uniqueid, at);
    if (this.ended.size > ENDED_MEMORY_MAX || this.ended.size % 256 === 0) this.pruneEnded(at);
  }

  private pruneEnded(now: number): void {
    const oldest = now - (this.options.endedMemoryMs ?? ENDED_MEMORY_MS);
    for (const [uniqueid, at] of this.ended) {
      if (at >= oldest && this.ended.size <= ENDED_MEMORY_MAX) break;
      this.ended.delete(uniqueid);
    }
  }

  /** Whether a channel ended recently (a snapshot listing it must not bring it back). */
  endedRecently(uniqueid: string): boolean {
    return this.ended.has(uniqueid);
  }

  /** Sizes of the internal maps: what a long run must keep flat. */
  get sizes() {
    return { calls: this.active.size, channels: this.channels.size, linkedids: this.byLinkedid.size, locals: this.locals.size, bridges: this.bridges.size, ended: this.ended.size };
  }
}
