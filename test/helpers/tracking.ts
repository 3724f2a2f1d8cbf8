import type { AmiMessage } from "../../src/ami/message.ts";
import { type CallSummary, summarize } from "../../src/tracking/summary.ts";
import { Tracker, type TrackerEvents } from "../../src/tracking/tracker.ts";

export const T0 = 1_795_264_000_000;
/** Events of a replay are 100 ms apart: deterministic times for the assertions. */
export const STEP = 100;

/** A trunk rule from patterns on the channel name (the recordings' callers are Local channels). */
export function trunks(...patterns: RegExp[]) {
  return (channel: string) => patterns.some((pattern) => pattern.test(channel));
}

/** A tracker fed with `events`, the i-th at T0 + i*STEP; what it emitted, and the calls it ended. */
export function replay(events: readonly AmiMessage[], isTrunk: (channel: string) => boolean = () => false, tracker = new Tracker({ isTrunk })) {
  const ended: CallSummary[] = [];
  const emitted: Array<{ type: keyof TrackerEvents; id: string }> = [];
  tracker.bus.on("call.ended", ({ call }) => ended.push(summarize(call)));
  for (const type of ["call.started", "call.ringing", "call.answered", "call.transferred", "call.ended"] as const) {
    tracker.bus.on(type, (payload) => emitted.push({ type, id: payload.call.id }));
  }
  tracker.bus.on("call.merged", ({ from }) => emitted.push({ type: "call.merged", id: from }));
  const feed = (more: readonly AmiMessage[], from = 0) => more.forEach((message, i) => tracker.handle(message, T0 + (from + i) * STEP));
  feed(events);
  return { tracker, ended, emitted, feed };
}

/** The time of the i-th event of a replay. */
export const at = (index: number) => T0 + index * STEP;

/** The index of the first event matching, for time assertions. */
export function indexOf(events: readonly AmiMessage[], event: string, where: Record<string, string> = {}, from = 0): number {
  const index = events.findIndex((m, i) => i >= from && m.event === event && Object.entries(where).every(([k, v]) => m.get(k) === v));
  if (index === -1) throw new Error(`no ${event} ${JSON.stringify(where)} in the stream`);
  return index;
}
