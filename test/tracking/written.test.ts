import { describe, expect, test } from "bun:test";
import { Tracker } from "../../src/tracking/tracker.ts";
import { event, ringallQueue, snapshot } from "../helpers/ami-build.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { freshen } from "../helpers/fake-ami.ts";
import { at, indexOf, replay, trunks } from "../helpers/tracking.ts";

/** Streams written from the Asterisk 22 event reference (the files say so), for what the recordings lack. */
const TRUNKS = trunks(/^PJSIP\/(provider|mtt)-/);

describe("written: blind transfer", () => {
  const events = amiEvents("blind-transfer.written");
  const { ended, emitted } = replay(events, TRUNKS);

  test("one call; 101 answered, handed to 102, who has the call at the end", () => {
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      direction: "inbound",
      status: "answered",
      externalNumber: "+66812345678",
      did: "021234567",
      line: "PJSIP/provider",
      answeredBy: "PJSIP/102",
      answeredExtension: "102",
      transferred: true,
      transfers: [{ kind: "blind", result: "Success", from: "101", transferee: "+66812345678", to: "102", destination: "102@internal", at: at(indexOf(events, "BlindTransfer")) }],
    });
    // First answered by 101: the call's answer time is that one.
    expect(ended[0]!.answeredAt).toBe(at(indexOf(events, "DialEnd", { DestUniqueid: "1795300000.2" })));
    expect(ended[0]!.legs.map((l) => [l.role, l.number, l.dialStatus])).toEqual([
      ["origin", "+66812345678", null],
      ["dialed", "101", "ANSWER"],
      ["dialed", "102", "ANSWER"],
    ]);
    expect(emitted.filter((e) => e.type === "call.transferred")).toHaveLength(1);
  });
});

describe("written: attended transfer", () => {
  const events = amiEvents("attended-transfer.written");
  const { ended, emitted } = replay(events, TRUNKS);

  test("the consultation call (its own Linkedid) merges into the caller's call when 102 takes the older Linkedid", () => {
    expect(ended).toHaveLength(1);
    expect(emitted.filter((e) => e.type === "call.started").map((e) => e.id)).toEqual(["1795300100.1", "1795300100.4"]);
    expect(emitted.filter((e) => e.type === "call.merged").map((e) => e.id)).toEqual(["1795300100.4"]);
    expect(ended[0]).toMatchObject({
      id: "1795300100.1",
      linkedid: "1795300100.1",
      direction: "inbound",
      status: "answered",
      answeredExtension: "102",
      transfers: [{ kind: "attended", result: "Success", from: "101", transferee: "+66812345678", to: "102", method: "Bridge" }],
    });
    expect(ended[0]!.uniqueids.sort()).toEqual(["1795300100.1", "1795300100.2", "1795300100.4", "1795300100.5"]);
  });

  test("the same when the AttendedTransfer event comes before any Linkedid changes", () => {
    const transfer = indexOf(events, "AttendedTransfer");
    const reordered = [...events.slice(0, indexOf(events, "BridgeMerge")), events[transfer]!, ...events.slice(indexOf(events, "BridgeMerge")).filter((m) => m !== events[transfer])];
    const again = replay(reordered, TRUNKS).ended;
    expect(again).toHaveLength(1);
    expect(again[0]).toMatchObject({ id: "1795300100.1", answeredExtension: "102", transfers: [{ kind: "attended", to: "102" }] });
  });
});

describe("written: call pickup", () => {
  test("102 picks up the call ringing at 101: one call, answered by 102", () => {
    const events = amiEvents("call-pickup.written");
    const { ended } = replay(events, TRUNKS);
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      direction: "inbound",
      status: "answered",
      answeredBy: "PJSIP/102",
      answeredExtension: "102",
      transfers: [{ kind: "pickup", from: "101", to: "102", transferee: "+66812345678" }],
    });
    expect(ended[0]!.answeredAt).toBe(at(indexOf(events, "Pickup")));
    expect(ended[0]!.legs.map((l) => [l.role, l.number, l.cause])).toEqual([
      ["origin", "+66812345678", 16],
      ["dialed", "101", 26],
      ["pickup", "102", 16],
    ]);
  });
});

describe("written: a manager's outbound call", () => {
  test("outbound on trunk PJSIP/mtt: the number dialled, the manager who had the call", () => {
    const [call] = replay(amiEvents("outbound-call.written"), TRUNKS).ended;
    expect(call).toMatchObject({
      direction: "outbound",
      status: "answered",
      externalNumber: "89991234567",
      line: "PJSIP/mtt",
      callerExtension: "150",
      answeredBy: "PJSIP/150",
      answeredExtension: "150",
      did: null,
      callerName: null,
    });
  });

  test("an Originate whose first channel is the trunk is outbound too (we called them)", () => {
    const trunkLeg = { name: "PJSIP/mtt-0000000a", uniqueid: "9.1", linkedid: "9.1", exten: "s" };
    const events = [
      event("Newchannel", snapshot(trunkLeg)),
      event("DialBegin", snapshot(trunkLeg, "Dest"), { DialString: "89991234567@mtt" }),
      event("Hangup", snapshot(trunkLeg), { Cause: "17", "Cause-txt": "User busy" }),
    ];
    expect(replay(events, TRUNKS).ended[0]).toMatchObject({ direction: "outbound", externalNumber: "89991234567", status: "busy" });
  });
});

describe("queues", () => {
  test("a ringall queue with ten members is one call with ten ring attempts and one answer", () => {
    const { ended, tracker } = replay(ringallQueue({ members: 10, answering: 3, linkedid: "1795400000.1" }), TRUNKS);
    expect(ended).toHaveLength(1);
    const call = ended[0]!;
    const attempts = call.legs.filter((l) => l.role === "dialed");
    expect(attempts).toHaveLength(10);
    expect(attempts.filter((l) => l.dialStatus === "ANSWER").map((l) => l.member)).toEqual(["Agent 203"]);
    expect(attempts.filter((l) => l.dialStatus === "CANCEL")).toHaveLength(9);
    expect(call).toMatchObject({ status: "answered", queue: "10001", answeredBy: "Local/203@agents/n", answeredExtension: "203", waitSeconds: 7, talkSeconds: 42 });
    expect(tracker.sizes).toMatchObject({ calls: 0, channels: 0, locals: 0 });
  });

  test("a member reached through a Local channel is reported as the real phone its inner half dialled", () => {
    const caller = { name: "PJSIP/provider-00000001", uniqueid: "7.1", linkedid: "7.1", state: 6, callerNum: "+66812345678", exten: "021234567" };
    const one = { name: "Local/300@agents-00000009;1", uniqueid: "7.2", linkedid: "7.1" };
    const two = { name: "Local/300@agents-00000009;2", uniqueid: "7.3", linkedid: "7.1", state: 4 };
    const phone = { name: "PJSIP/300-0000000b", uniqueid: "7.4", linkedid: "7.1" };
    const up = <T extends object>(c: T) => ({ ...c, state: 6 });
    const events = [
      event("Newchannel", snapshot(caller)),
      event("QueueCallerJoin", snapshot(caller), { Queue: "sales" }),
      event("Newchannel", snapshot(one)),
      event("Newchannel", snapshot(two)),
      event("AgentCalled", snapshot(caller), snapshot(one, "Dest"), { Queue: "sales", Interface: "Local/300@agents/n", MemberName: "Olga" }),
      event("DialBegin", snapshot(caller), snapshot(one, "Dest"), { DialString: "300@agents/n" }),
      event("Newchannel", snapshot(phone)),
      event("DialBegin", snapshot(two), snapshot(phone, "Dest"), { DialString: "300" }),
      event("DialEnd", snapshot(up(two)), snapshot(up(phone), "Dest"), { DialStatus: "ANSWER" }),
      event("DialEnd", snapshot(caller), snapshot(up(one), "Dest"), { DialStatus: "ANSWER" }),
      event("AgentConnect", snapshot(caller), snapshot(up(one), "Dest"), { Queue: "sales", Interface: "Local/300@agents/n", MemberName: "Olga", HoldTime: "4" }),
      ...[phone, two, one, caller].map((c) => event("Hangup", snapshot(up(c)), { Cause: "16" })),
    ];
    const { ended, emitted } = replay(events, TRUNKS);
    expect(ended[0]).toMatchObject({ status: "answered", answeredBy: "PJSIP/300", answeredExtension: "300", queue: "sales", waitSeconds: 4 });
    expect(ended[0]!.legs.find((l) => l.endpoint === "PJSIP/300")).toMatchObject({ via: "Local/300@agents/n", dialStatus: "ANSWER" });
    // The inner Dial answering did not answer the call: the outer one did, once.
    expect(emitted.filter((e) => e.type === "call.answered")).toHaveLength(1);
    expect(ended[0]!.answeredAt).toBe(at(9));
  });

  test("a caller who gives up in the queue abandoned the call", () => {
    const caller = { name: "PJSIP/provider-00000001", uniqueid: "8.1", linkedid: "8.1", state: 6, callerNum: "+66812345678" };
    const events = [
      event("Newchannel", snapshot(caller)),
      event("QueueCallerJoin", snapshot(caller), { Queue: "sales", Position: "1" }),
      event("QueueCallerAbandon", snapshot(caller), { Queue: "sales", Position: "1", OriginalPosition: "1", HoldTime: "25" }),
      event("Hangup", snapshot(caller), { Cause: "16" }),
    ];
    expect(replay(events, TRUNKS).ended[0]).toMatchObject({ status: "abandoned", queue: "sales", queueAbandoned: true, waitSeconds: 25, answeredAt: null });
  });
});

describe("robustness", () => {
  test("memory stays flat over a long run: finished calls leave the tracker, ended uniqueids are forgotten after a while", () => {
    const tracker = new Tracker({ isTrunk: TRUNKS, endedMemoryMs: 5_000 });
    const one = amiEvents("ivr-queue-and-dial");
    let t = 0;
    for (let round = 1; round <= 300; round++) for (const message of freshen(one, round)) tracker.handle(message, (t += 10));
    expect(tracker.counts.callsEnded).toBe(600);
    expect(tracker.sizes).toMatchObject({ calls: 0, channels: 0, linkedids: 0, locals: 0, bridges: 0 });
    // Rounds of 252 events 10 ms apart: only the last two rounds' channels are within 5 s.
    expect(tracker.sizes.ended).toBeLessThanOrEqual(8 * 3 + 256);
  });

  test("a channel first heard of mid-call is adopted and its call marked as having a gap", () => {
    const caller = { name: "PJSIP/provider-00000001", uniqueid: "5.1", linkedid: "5.1", state: 6, callerNum: "+66812345678" };
    const { ended } = replay([event("Hangup", snapshot(caller), { Cause: "16" })], TRUNKS);
    expect(ended[0]).toMatchObject({ gap: true, direction: "inbound", status: "abandoned" });
  });

  test("with timestampevents = yes, Asterisk's Timestamp header is the event's time", () => {
    const chan = { name: "PJSIP/101-00000001", uniqueid: "4.1", linkedid: "4.1", state: 4 };
    const { ended } = replay([event("Newchannel", snapshot(chan), { Timestamp: "1795264000.250000" }), event("Hangup", snapshot(chan), { Cause: "16", Timestamp: "1795264003.750000" })]);
    expect(ended[0]).toMatchObject({ startedAt: 1_795_264_000_250, endedAt: 1_795_264_003_750 });
  });

  test("a throwing subscriber does not stop the tracker or the other subscribers", () => {
    const errors: string[] = [];
    const tracker = new Tracker({ isTrunk: () => false, onListenerError: (type) => errors.push(type) });
    tracker.bus.on("call.started", () => {
      throw new Error("faulty webhook");
    });
    const { ended } = replay(amiEvents("originate-answered"), undefined, tracker);
    expect(ended).toHaveLength(1);
    expect(errors).toEqual(["call.started"]);
  });

  test("events with unknown names and headers are ignored; a Hangup for an unknown uniqueid without a channel name too", () => {
    const { ended, tracker } = replay([event("SomethingNew", { Foo: "bar" }), event("Hangup", { Uniqueid: "nope" })]);
    expect(ended).toEqual([]);
    expect(tracker.sizes.channels).toBe(0);
  });
});
