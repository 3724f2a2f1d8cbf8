import { AmiMessage } from "../../src/ami/message.ts";

/** A channel as a test describes it; the snapshot headers are filled in as Asterisk 22 writes them. */
export interface Chan {
  name: string;
  uniqueid: string;
  linkedid: string;
  state?: number;
  callerNum?: string;
  callerName?: string;
  context?: string;
  exten?: string;
}

const DESC: Record<number, string> = { 0: "Down", 4: "Ring", 5: "Ringing", 6: "Up", 7: "Busy" };

/** The channel snapshot headers (`ast_manager_build_channel_state_string_prefix`). */
export function snapshot(chan: Chan, prefix = ""): Record<string, string> {
  const state = chan.state ?? 0;
  return {
    [`${prefix}Channel`]: chan.name,
    [`${prefix}ChannelState`]: String(state),
    [`${prefix}ChannelStateDesc`]: DESC[state] ?? "Unknown",
    [`${prefix}CallerIDNum`]: chan.callerNum ?? "<unknown>",
    [`${prefix}CallerIDName`]: chan.callerName ?? "<unknown>",
    [`${prefix}ConnectedLineNum`]: "<unknown>",
    [`${prefix}ConnectedLineName`]: "<unknown>",
    [`${prefix}Language`]: "en",
    [`${prefix}AccountCode`]: "",
    [`${prefix}Context`]: chan.context ?? "internal",
    [`${prefix}Exten`]: chan.exten ?? "s",
    [`${prefix}Priority`]: "1",
    [`${prefix}Uniqueid`]: chan.uniqueid,
    [`${prefix}Linkedid`]: chan.linkedid,
  };
}

export function event(name: string, ...parts: Array<Record<string, string>>): AmiMessage {
  return AmiMessage.from(Object.assign({ Event: name, Privilege: "call,all" }, ...parts));
}

/** A CoreShowChannel item as Asterisk 22 lists it (Duration `HH:MM:SS`, BridgeId empty when none). */
export function coreShowChannel(chan: Chan, options: { actionId?: string; duration?: string; bridge?: string; application?: string } = {}): AmiMessage {
  return AmiMessage.from({
    Event: "CoreShowChannel",
    ActionID: options.actionId ?? "x",
    ...snapshot(chan),
    BridgeId: options.bridge ?? "",
    Application: options.application ?? "Dial",
    ApplicationData: "",
    Duration: options.duration ?? "00:00:10",
  });
}

/** A ringall queue: the caller on a trunk joins `queue`, `members` Local members ring, `answering` answers. */
export function ringallQueue(options: { members: number; answering: number; linkedid: string; queue?: string }): AmiMessage[] {
  const queue = options.queue ?? "10001";
  const caller: Chan = { name: "PJSIP/provider-00000001", uniqueid: options.linkedid, linkedid: options.linkedid, state: 6, callerNum: "+66812345678", context: "from-trunk", exten: "021234567" };
  const out: AmiMessage[] = [event("Newchannel", snapshot({ ...caller, state: 4 })), event("QueueCallerJoin", snapshot(caller), { Queue: queue, Position: "1", Count: "1" })];
  const members = Array.from({ length: options.members }, (_, i) => {
    const base = `Local/${200 + i}@agents-${(0x100 + i).toString(16).padStart(8, "0")}`;
    const one: Chan = { name: `${base};1`, uniqueid: `${options.linkedid}.m${i}a`, linkedid: options.linkedid, context: "agents", exten: String(200 + i) };
    const two: Chan = { ...one, name: `${base};2`, uniqueid: `${options.linkedid}.m${i}b`, state: 4 };
    return { one, two, iface: `Local/${200 + i}@agents/n`, name: `Agent ${200 + i}` };
  });
  for (const m of members) {
    out.push(event("Newchannel", snapshot(m.one)), event("Newchannel", snapshot(m.two)));
    out.push(event("AgentCalled", snapshot(caller), snapshot(m.one, "Dest"), { Queue: queue, Interface: m.iface, MemberName: m.name }));
    out.push(event("DialBegin", snapshot(caller), snapshot(m.one, "Dest"), { DialString: m.iface.slice(6) }));
  }
  const winner = members[options.answering]!;
  const up = { ...winner.one, state: 6 };
  out.push(event("Newstate", snapshot({ ...winner.two, state: 6 })), event("Newstate", snapshot(up)));
  out.push(event("DialEnd", snapshot(caller), snapshot(up, "Dest"), { DialStatus: "ANSWER" }));
  for (const m of members) if (m !== winner) out.push(event("DialEnd", snapshot(caller), snapshot(m.one, "Dest"), { DialStatus: "CANCEL" }));
  for (const m of members) {
    if (m === winner) continue;
    out.push(event("Hangup", snapshot(m.one), { Cause: "26", "Cause-txt": "Answered elsewhere" }), event("Hangup", snapshot(m.two), { Cause: "26", "Cause-txt": "Answered elsewhere" }));
  }
  out.push(event("QueueCallerLeave", snapshot(caller), { Queue: queue, Position: "1", Count: "0" }));
  out.push(event("AgentConnect", snapshot(caller), snapshot(up, "Dest"), { Queue: queue, Interface: winner.iface, MemberName: winner.name, HoldTime: "7", RingTime: "3" }));
  out.push(event("AgentComplete", snapshot(caller), snapshot(up, "Dest"), { Queue: queue, Interface: winner.iface, MemberName: winner.name, HoldTime: "7", TalkTime: "42", Reason: "caller" }));
  out.push(event("Hangup", snapshot(caller), { Cause: "16", "Cause-txt": "Normal Clearing" }));
  out.push(event("Hangup", snapshot({ ...winner.two, state: 6 }), { Cause: "16", "Cause-txt": "Normal Clearing" }));
  out.push(event("Hangup", snapshot(up), { Cause: "16", "Cause-txt": "Normal Clearing" }));
  return out;
}
