import { describe, expect, test } from "bun:test";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { at, indexOf, replay, trunks } from "../helpers/tracking.ts";

/**
 * The recordings from a real Asterisk 22, replayed through the tracker. Their callers are
 * Local channels played by the recorder: the ones it used as "the outside" are declared
 * trunks here, as a PBX's trunk endpoints would be.
 */
describe("recorded: an IVR queue call answered by an agent, and a dialled call answered", () => {
  const events = amiEvents("ivr-queue-and-dial");
  const { ended, tracker, emitted } = replay(events, trunks(/^Local\/\d+@probe-/));

  test("two calls, each of four channels (two Local pairs), nothing left in the tracker", () => {
    expect(ended.map((c) => c.id)).toEqual(["1795264199.46", "1795264200.50"]);
    expect(ended.map((c) => c.uniqueids.sort())).toEqual([
      ["1795264199.46", "1795264199.47", "1795264199.48", "1795264199.49"],
      ["1795264200.50", "1795264200.51", "1795264200.52", "1795264200.53"],
    ]);
    expect(tracker.sizes).toMatchObject({ calls: 0, channels: 0, linkedids: 0, locals: 0, bridges: 0 });
  });

  test("the queue call, field by field", () => {
    const call = ended[0]!;
    expect(call).toMatchObject({
      direction: "inbound",
      status: "answered",
      externalNumber: "+66812345678",
      callerName: "Test Caller",
      did: "0212345678",
      line: "Local/0212345678@probe-external",
      callerExtension: null,
      queue: "10003-vars",
      queueAbandoned: false,
      answeredBy: "Local/300@agents/n",
      answeredExtension: "300",
      waitSeconds: 0, // AgentConnect HoldTime
      talkSeconds: 3, // AgentComplete TalkTime
      hangupCause: 16,
      hangupCauseText: "Normal Clearing",
      transferred: false,
      gap: false,
    });
    expect(call.startedAt).toBe(at(indexOf(events, "Newchannel")));
    expect(call.queueJoinedAt).toBe(at(indexOf(events, "QueueCallerJoin")));
    expect(call.answeredAt).toBe(at(indexOf(events, "DialEnd", { DestUniqueid: "1795264199.48" })));
    expect(call.endedAt).toBe(at(indexOf(events, "Hangup", { Uniqueid: "1795264199.46" })));
    expect(call.legs).toEqual([
      expect.objectContaining({ uniqueid: "1795264199.46", role: "origin", endpoint: "Local/0212345678@probe-external", trunk: true, number: "+66812345678", name: "Test Caller" }),
      expect.objectContaining({
        uniqueid: "1795264199.48",
        role: "dialed",
        endpoint: "Local/300@agents",
        trunk: false,
        number: "300",
        queue: "10003-vars",
        member: "Agent 300",
        dialStatus: "ANSWER",
        ringAt: at(indexOf(events, "DialBegin", { DestUniqueid: "1795264199.48" })),
        talkSeconds: 3,
        cause: 16,
      }),
    ]);
  });

  test("the dialled call, field by field", () => {
    const call = ended[1]!;
    expect(call).toMatchObject({
      direction: "inbound",
      status: "answered",
      externalNumber: "0812223333",
      did: "0298765432",
      queue: null,
      answeredBy: "Local/1001@internal",
      answeredExtension: "1001",
      hangupCause: 16,
    });
    const answered = indexOf(events, "DialEnd", { DestUniqueid: "1795264200.52" });
    const hangup = indexOf(events, "Hangup", { Uniqueid: "1795264200.50" });
    expect(call.answeredAt).toBe(at(answered));
    expect(call.talkSeconds).toBe(Math.round(((hangup - answered) * 100) / 1000));
    expect(call.legs.map((l) => [l.role, l.endpoint, l.dialStatus])).toEqual([
      ["origin", "Local/0298765432@probe-fast", "ANSWER"],
      ["dialed", "Local/1001@internal", "ANSWER"],
    ]);
  });

  test("the changes published, in order, once each", () => {
    const first = emitted.filter((e) => e.id === "1795264199.46").map((e) => e.type);
    expect(first).toEqual(["call.started", "call.ringing", "call.ringing", "call.answered", "call.ended"]);
  });
});

describe("recorded: a queue call with AgentCalled/AgentConnect/AgentComplete", () => {
  const events = amiEvents("queue-call");
  const { ended } = replay(events, trunks(/^Local\/10001@queue-in-/));

  test("one inbound call answered by the queue member, with Asterisk's hold and talk times", () => {
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({
      id: "ami-queue-a",
      direction: "inbound",
      status: "answered",
      externalNumber: "+66800000099",
      callerName: "Queue Caller",
      queue: "10001",
      answeredBy: "Local/100@agents/n",
      answeredExtension: "100",
      waitSeconds: 0,
      talkSeconds: 2,
      originate: { actionId: "orig-queue", response: "Success", reason: "4" },
    });
    expect(ended[0]!.legs).toHaveLength(2);
  });

  test("without trunks configured, the same call is internal: direction never comes from context names", () => {
    expect(replay(events).ended[0]).toMatchObject({ direction: "internal", externalNumber: null, callerExtension: "10001", answeredExtension: "100" });
  });
});

describe("recorded: originates", () => {
  test("answered: the first leg picks up, then the dialled party; an internal call 100 -> 200", () => {
    const events = amiEvents("originate-answered");
    const [call] = replay(events).ended;
    expect(call).toMatchObject({
      direction: "internal",
      status: "answered",
      callerExtension: "100",
      answeredBy: "Local/200@talk",
      answeredExtension: "200",
      hangupCause: 16,
      originate: { actionId: "orig-answered", response: "Success", reason: "4" },
    });
    // Answered when 200 answered, not when the originated first leg did.
    expect(call!.answeredAt).toBe(at(indexOf(events, "DialEnd", { DestUniqueid: "1795315547.2" })));
  });

  test("busy: Cause 17 on ;2 wins over Cause 0 on ;1", () => {
    const [call] = replay(amiEvents("originate-busy")).ended;
    expect(call).toMatchObject({ status: "busy", hangupCause: 17, hangupCauseText: "User busy", answeredAt: null, talkSeconds: null });
    expect(call!.legs).toEqual([expect.objectContaining({ role: "origin", dialStatus: "BUSY", cause: 17 })]);
  });

  test("no answer: no DialEnd at all, the hangup cause 19 tells", () => {
    const events = amiEvents("originate-noanswer");
    const [call] = replay(events).ended;
    expect(call).toMatchObject({ status: "no_answer", hangupCause: 19, answeredAt: null });
    expect(call!.ringingAt).toBe(at(indexOf(events, "DialBegin")));
  });

  test("an OriginateResponse after the call ended does not bring it back", () => {
    const { tracker, ended } = replay(amiEvents("originate-busy"));
    expect(ended).toHaveLength(1);
    expect(tracker.sizes).toMatchObject({ calls: 0, channels: 0 });
  });
});
