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

describe("Dial outcome", () => {
  test("ANSWER: who, talk and ring time (fastagi-dial-answered)", () => {
    expect(classifyDial({ DIALSTATUS: "ANSWER", DIALEDPEERNUMBER: "1001@internal/n", ANSWEREDTIME: "3", DIALEDTIME: "5" })).toEqual({
      status: "answered",
      answeredBy: "1001@internal/n",
      talkSeconds: 3,
      waitSeconds: 2,
      detail: "ANSWER",
    });
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
    expect(classifyDial({ DIALSTATUS: status, DIALEDPEERNUMBER: "", ANSWEREDTIME: "" }).status).toBe(expected);
  });
  test("no DIALSTATUS at all is a failure, said so", () => {
    expect(classifyDial({})).toEqual({ status: "failed", detail: "no DIALSTATUS" });
  });
});
