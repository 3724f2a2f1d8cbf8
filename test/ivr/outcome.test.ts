import { describe, expect, test } from "bun:test";
import { type CallStatus, classifyDial, classifyQueue } from "../../src/ivr/outcome.ts";

describe("Queue outcome", () => {
  test("answered: ANSWEREDTIME, no QUEUESTATUS (stdin-menu-digit1-queue); the wait is the rest of the time in Queue", () => {
    expect(classifyQueue({ ANSWEREDTIME: "2" }, 9, false)).toEqual({ status: "answered", answeredBy: undefined, talkSeconds: 2, waitSeconds: 7 });
  });
  test("answered with setinterfacevar=yes: who answered", () => {
    expect(classifyQueue({ ANSWEREDTIME: "2", MEMBERINTERFACE: "Local/300@agents/n" }, 2, false)).toMatchObject({ answeredBy: "Local/300@agents/n" });
  });
  test("abandoned: ABANDONED=TRUE wins over ANSWEREDTIME=0 (stdin-queue-abandoned)", () => {
    expect(classifyQueue({ ABANDONED: "TRUE", ANSWEREDTIME: "0", QUEUEWAIT: "4" }, 5, true)).toMatchObject({ status: "abandoned", waitSeconds: 4 });
  });
  test.each([
    ["TIMEOUT", "no_answer"],
    ["JOINEMPTY", "unavailable"],
    ["LEAVEUNAVAIL", "unavailable"],
    ["FULL", "unavailable"],
    ["WITHDRAW", "abandoned"],
  ])("QUEUESTATUS=%s -> %s", (status, expected) => {
    expect(classifyQueue({ QUEUESTATUS: status }, 30, false)).toMatchObject({ status: expected, detail: status });
  });
  test("nothing set: abandoned if the caller hung up, else failed", () => {
    expect(classifyQueue({}, 3, true).status).toBe("abandoned");
    expect(classifyQueue({}, 3, false).status).toBe("failed");
  });
});

describe("Queue outcome with queue_options c, and status left over from an earlier Queue", () => {
  test("QUEUESTATUS=CONTINUE is an answered call (app_queue sets it only for a call a member handled)", () => {
    expect(classifyQueue({ QUEUESTATUS: "CONTINUE", ANSWEREDTIME: "5", MEMBERINTERFACE: "Local/300@agents/n" }, 12, false)).toEqual({
      status: "answered",
      answeredBy: "Local/300@agents/n",
      talkSeconds: 5,
      waitSeconds: 7,
      detail: "CONTINUE",
    });
    expect(classifyQueue({ QUEUESTATUS: "CONTINUE", ANSWEREDTIME: "5" }, 12, false)).toMatchObject({ status: "answered", talkSeconds: 5 });
  });
  test("a stale QUEUESTATUS (not cleared by app_queue) loses to a member or a talk time", () => {
    expect(classifyQueue({ QUEUESTATUS: "TIMEOUT", ANSWEREDTIME: "9" }, 15, false)).toMatchObject({ status: "answered", talkSeconds: 9, waitSeconds: 6 });
    expect(classifyQueue({ QUEUESTATUS: "JOINEMPTY", MEMBERINTERFACE: "PJSIP/101" }, 15, false)).toMatchObject({ status: "answered", answeredBy: "PJSIP/101" });
  });
  test("a failure status with a zero talk time and no member stays a failure", () => {
    expect(classifyQueue({ QUEUESTATUS: "TIMEOUT", ANSWEREDTIME: "0" }, 30, false)).toMatchObject({ status: "no_answer", detail: "TIMEOUT" });
  });
});

describe("Dial outcome", () => {
  // ANSWEREDTIME(_MS) after Dial is the calling channel's up time (Asterisk 22): it includes the IVR.
  const afterSixSecondsInTheMenu = { upAtDialMs: 6000, spanMs: 2100 };

  test("ANSWER: who, and the Dial's span as the talk time: ANSWEREDTIME_MS minus the up time at Dial; the ring time unknown", () => {
    expect(classifyDial({ DIALSTATUS: "ANSWER", DIALEDPEERNUMBER: "1001@internal/n", ANSWEREDTIME_MS: "8040" }, afterSixSecondsInTheMenu)).toEqual({
      status: "answered",
      answeredBy: "1001@internal/n",
      talkSeconds: 2,
      detail: "ANSWER",
    });
  });
  test("without ANSWEREDTIME_MS: ANSWEREDTIME (whole seconds, cut down)", () => {
    expect(classifyDial({ DIALSTATUS: "ANSWER", ANSWEREDTIME: "8" }, afterSixSecondsInTheMenu).talkSeconds).toBe(3);
  });
  test("channel up before the IVR (its answer time unknown), or no time variable: the IVR's own clock", () => {
    expect(classifyDial({ DIALSTATUS: "ANSWER", ANSWEREDTIME_MS: "60000" }, { upAtDialMs: undefined, spanMs: 4400 }).talkSeconds).toBe(4);
    expect(classifyDial({ DIALSTATUS: "ANSWER" }, afterSixSecondsInTheMenu).talkSeconds).toBe(2);
  });
  test("unanswered: the wait is the Dial's span, not DIALEDTIME (the calling channel's age)", () => {
    expect(classifyDial({ DIALSTATUS: "NOANSWER", DIALEDTIME: "26" }, { upAtDialMs: 6000, spanMs: 20_000 })).toEqual({ status: "no_answer", waitSeconds: 20, detail: "NOANSWER" });
    expect(classifyDial({ DIALSTATUS: "BUSY", DIALEDTIME: "7" }, { upAtDialMs: 6000, spanMs: 300 })).toMatchObject({ status: "busy", waitSeconds: 0 });
  });
  test.each<[string, CallStatus]>([
    ["BUSY", "busy"],
    ["NOANSWER", "no_answer"],
    ["CANCEL", "abandoned"],
    ["CHANUNAVAIL", "unavailable"],
    ["CONGESTION", "unavailable"],
    ["DONTCALL", "failed"],
    ["INVALIDARGS", "failed"],
  ])("DIALSTATUS=%s -> %s", (status, expected) => {
    expect(classifyDial({ DIALSTATUS: status, DIALEDPEERNUMBER: "", ANSWEREDTIME: "" }, { upAtDialMs: 0, spanMs: 0 }).status).toBe(expected);
  });
  test("no DIALSTATUS at all is a failure, said so", () => {
    expect(classifyDial({}, { upAtDialMs: 0, spanMs: 0 })).toEqual({ status: "failed", detail: "no DIALSTATUS" });
  });
});
