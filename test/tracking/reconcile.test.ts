import { describe, expect, test } from "bun:test";
import { reconcile } from "../../src/tracking/reconcile.ts";
import { coreShowChannel, event, snapshot } from "../helpers/ami-build.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { at, indexOf, replay, trunks } from "../helpers/tracking.ts";

const TRUNKS = trunks(/^Local\/\d+@probe-/, /^PJSIP\/provider-/);

describe("reconciling with a CoreShowChannels snapshot after a gap", () => {
  const events = amiEvents("ivr-queue-and-dial");
  // Both calls are in progress here; then the connection drops.
  const cut = indexOf(events, "BridgeEnter", { Uniqueid: "1795264200.51" }) + 1;

  test("a call that ended while we were away is closed at the gap's start and marked; the other carries on", () => {
    const { tracker, ended, feed } = replay(events.slice(0, cut), TRUNKS);
    expect(tracker.active.size).toBe(2);
    const gapSince = at(cut) + 50;
    // While away: the queue call (…46) ended; the dialled call (…50) is still up.
    const stillUp = ["1795264200.50", "1795264200.51", "1795264200.52", "1795264200.53"].map((uniqueid) => {
      const last = events.slice(0, cut).findLast((m) => m.get("Uniqueid") === uniqueid)!;
      return coreShowChannel({ name: last.get("Channel")!, uniqueid, linkedid: "1795264200.50", state: 6 }, { bridge: uniqueid.endsWith("1") || uniqueid.endsWith("2") ? "c73b3ad5" : "" });
    });
    const requestedAt = at(cut) + 5000;
    const result = reconcile(tracker, stillUp, { requestedAt, at: requestedAt + 20, gapSince });
    expect(result).toEqual({ closed: 4, adopted: 0, callsEnded: 1 });
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ id: "1795264199.46", gap: true, endedAt: gapSince, status: "answered", answeredExtension: "300" });

    // Back online: the rest of the stream (the queue call's own events are ignored now).
    feed(events.slice(cut), cut + 100);
    expect(ended.map((c) => c.id)).toEqual(["1795264199.46", "1795264200.50"]);
    expect(ended[1]).toMatchObject({ gap: true, status: "answered", answeredExtension: "1001" });
    expect(tracker.sizes).toMatchObject({ calls: 0, channels: 0, linkedids: 0, locals: 0, bridges: 0 });
  });

  test("a channel we did not know is adopted with its age; two in one bridge are an answered call", () => {
    const { tracker, ended, feed } = replay([], TRUNKS);
    const caller = { name: "PJSIP/provider-00000007", uniqueid: "1795500000.7", linkedid: "1795500000.7", state: 6, callerNum: "+66812345678", exten: "021234567" };
    const agent = { name: "PJSIP/101-00000008", uniqueid: "1795500000.8", linkedid: "1795500000.7", state: 6 };
    const now = at(0);
    // Listed youngest first: the tracker still takes the channel whose uniqueid is the Linkedid as the origin.
    const result = reconcile(
      tracker,
      [coreShowChannel(agent, { duration: "00:01:00", bridge: "b-1" }), coreShowChannel(caller, { duration: "00:01:30", bridge: "b-1", application: "AppDial" })],
      { requestedAt: now, at: now },
    );
    expect(result).toEqual({ closed: 0, adopted: 2, callsEnded: 0 });
    const call = tracker.active.get("1795500000.7")!;
    expect(call).toMatchObject({ gap: true, startedAt: now - 90_000, answeredAt: now - 60_000, originLeg: "1795500000.7" });
    feed([event("Hangup", snapshot(agent), { Cause: "16" }), event("Hangup", snapshot(caller), { Cause: "16" })], 10);
    expect(ended[0]).toMatchObject({ direction: "inbound", status: "answered", answeredBy: "PJSIP/101", externalNumber: "+66812345678", gap: true });
  });

  test("events racing the snapshot: a channel heard of after it was asked for is kept, one that just ended is not revived", () => {
    const { tracker, feed } = replay([], TRUNKS);
    const early = { name: "PJSIP/provider-00000001", uniqueid: "6.1", linkedid: "6.1", state: 4 };
    const late = { name: "PJSIP/provider-00000002", uniqueid: "6.2", linkedid: "6.2", state: 4 };
    const gone = { name: "PJSIP/provider-00000003", uniqueid: "6.3", linkedid: "6.3", state: 4 };
    feed([event("Newchannel", snapshot(early)), event("Newchannel", snapshot(gone)), event("Hangup", snapshot(gone), { Cause: "16" })], 0);
    const requestedAt = at(5);
    feed([event("Newchannel", snapshot(late))], 6); // after the request: not in the snapshot yet
    const result = reconcile(tracker, [coreShowChannel(gone)], { requestedAt, at: at(7) });
    expect(result).toEqual({ closed: 1, adopted: 0, callsEnded: 1 }); // "early" closed, "gone" not revived
    expect([...tracker.channels.keys()]).toEqual(["6.2"]);
  });
});
