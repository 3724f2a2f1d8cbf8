import { AmiMessage } from "../../src/ami/message.ts";
import { amiEvents } from "./ami-fixtures.ts";

/**
 * How the fake Asterisk answers an Originate: `Response: Success` (Originate successfully
 * queued) at once, then the events of one of the recorded originates of Asterisk 22.10
 * (fixtures/ami/originate-*.ami) with the identities of this Originate: its ChannelId and
 * OtherChannelId as the uniqueids of the two halves of the first Local channel (as the
 * recordings were made), its Channel as their name, fresh names and ids for the other
 * channels, its ActionID in the OriginateResponse. As in the recordings, OriginateResponse
 * comes when the first leg answers (answered), right before the Hangups (no answer), or
 * after them (busy).
 *
 * Two outcomes are not recorded: `congestion` is the busy recording with the busy values
 * replaced by congestion's (DialStatus CONGESTION, cause 34, Reason 8), and `failed` is a
 * lone OriginateResponse Failure with Reason 0 and no channel, as manager.c writes it when
 * the channel cannot be created ("<null>" for the uniqueid). Both are written, not recorded.
 */
export type OriginateOutcome = "answered" | "busy" | "noanswer" | "congestion" | "failed";

export interface OriginatePlan {
  outcome: OriginateOutcome;
  /** How long the call lasts between its setup (ringing, answer) and its teardown (the Hangups). */
  holdMs?: number;
  /** Awaited between setup and teardown (a test drives the outbound AGI while the call is up). */
  whileUp?: (ids: OriginateIds) => Promise<void>;
}

export interface OriginateIds {
  channel: string;
  channelId: string;
  otherChannelId: string;
  actionId: string;
}

const RECORDED: Record<"answered" | "busy" | "noanswer", { stream: string; a: string; b: string; base: RegExp }> = {
  answered: { stream: "originate-answered", a: "ami-ans-a", b: "ami-ans-b", base: /^Local\/100@talk(-[0-9a-f]{8})?/ },
  busy: { stream: "originate-busy", a: "ami-busy-a", b: "ami-busy-b", base: /^Local\/512@internal(-[0-9a-f]{8})?/ },
  noanswer: { stream: "originate-noanswer", a: "ami-noans-a", b: "ami-noans-b", base: /^Local\/999@noanswer(-[0-9a-f]{8})?/ },
};

const cache = new Map<string, AmiMessage[]>();
function recorded(stream: string): AmiMessage[] {
  let events = cache.get(stream);
  if (!events) cache.set(stream, (events = amiEvents(stream).filter((m) => m.event !== "FullyBooted" && m.event !== "SuccessfulAuth")));
  return events;
}

const CONGESTION: Record<string, Record<string, string>> = {
  DialStatus: { BUSY: "CONGESTION" },
  Cause: { "17": "34" },
  "Cause-txt": { "User busy": "Circuit/channel congestion" },
  Reason: { "5": "8" },
};

/** The events this Originate makes the fake play, its setup and its teardown. */
export function originateEvents(outcome: OriginateOutcome, ids: OriginateIds, fresh: () => string): { setup: AmiMessage[]; teardown: AmiMessage[] } {
  if (outcome === "failed") {
    const response = AmiMessage.from({ Event: "OriginateResponse", Privilege: "call,all", ActionID: ids.actionId, Response: "Failure", Channel: ids.channel, Context: "ivr-outbound", Exten: "s", Reason: "0", Uniqueid: "<null>", CallerIDNum: "<unknown>", CallerIDName: "<unknown>" });
    return { setup: [], teardown: [response] };
  }
  const source = RECORDED[outcome === "congestion" ? "busy" : outcome];
  const names = new Map<string, string>();
  const rename = (value: string): string => {
    const first = source.base.exec(value);
    if (first) return `${ids.channel}${first[1] ? `-${uniquifier(first[0])}` : ""}${value.slice(first[0].length)}`;
    return value.replace(/^(Local\/[^;]+?)-([0-9a-f]{8})(;[12])?$/, (_, name: string, hex: string, half = "") => `${name}-${uniquifier(`${name}-${hex}`)}${half}`);
  };
  const uniquifier = (key: string) => {
    let hex = names.get(key);
    if (!hex) names.set(key, (hex = fresh()));
    return hex;
  };
  const uniqueids = new Map([
    [source.a, ids.channelId],
    [source.b, ids.otherChannelId],
  ]);
  const events = recorded(source.stream).map((message) => {
    const fields = [...message.fields];
    for (let i = 0; i < fields.length; i += 2) {
      const key = fields[i]!;
      const value = fields[i + 1]!;
      const lower = key.toLowerCase();
      if (lower.endsWith("uniqueid") || lower.endsWith("linkedid")) fields[i + 1] = uniqueids.get(value) ?? (value && value !== "<unknown>" ? `${ids.channelId}.${value}` : value);
      else if (key === "ActionID") fields[i + 1] = ids.actionId;
      else if ((lower.endsWith("channel") || key === "Channel") && value.startsWith("Local/")) fields[i + 1] = rename(value);
      else if (outcome === "congestion" && CONGESTION[key]?.[value]) fields[i + 1] = CONGESTION[key]![value]!;
    }
    return new AmiMessage(fields);
  });
  const played = ids.channel.startsWith("Local/") ? events : asOneChannel(events, ids, uniquifier(ids.channel));
  const end = played.findIndex((m) => m.event === "HangupRequest" || m.event === "SoftHangupRequest" || m.event === "Hangup");
  return { setup: played.slice(0, end), teardown: played.slice(end) };
}

/**
 * The channel Asterisk names for a dial string: PJSIP/<user>@<endpoint> is PJSIP/<endpoint>,
 * SIP/<peer>/<number> is SIP/<peer>, PJSIP/<endpoint> itself.
 */
export function channelBase(dial: string): string {
  const [tech, ...rest] = dial.split("/");
  const resource = rest.join("/");
  return `${tech}/${resource.includes("@") ? resource.slice(resource.indexOf("@") + 1) : resource.split("/")[0]}`;
}

/**
 * The recordings dialled Local channels (two halves, ;1 and ;2); a real trunk or phone is one
 * channel. Written from them, not recorded: the halves become that one channel (named as
 * Asterisk names it, with the ChannelId), LocalBridge goes, and of the two Hangups the one
 * of ;2 stays, which has the real cause (17 for busy, where ;1 says 0).
 */
function asOneChannel(events: readonly AmiMessage[], ids: OriginateIds, hex: string): AmiMessage[] {
  const name = `${channelBase(ids.channel)}-${hex}`;
  const halves = new RegExp(`^${ids.channel.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-[0-9a-f]{8};[12]$`);
  const out: AmiMessage[] = [];
  for (const message of events) {
    if (message.event === "LocalBridge") continue;
    if (/^(Hangup|HangupRequest|SoftHangupRequest)$/.test(message.event ?? "") && message.get("Uniqueid") === ids.channelId) continue;
    const fields = [...message.fields];
    for (let i = 0; i < fields.length; i += 2) {
      const lower = fields[i]!.toLowerCase();
      if (fields[i + 1] === ids.otherChannelId && lower.endsWith("uniqueid")) fields[i + 1] = ids.channelId;
      else if (lower.endsWith("channel") && halves.test(fields[i + 1]!)) fields[i + 1] = name;
      else if (fields[i] === "Channel" && fields[i + 1] === ids.channel) fields[i + 1] = name;
    }
    out.push(new AmiMessage(fields));
  }
  return out;
}
