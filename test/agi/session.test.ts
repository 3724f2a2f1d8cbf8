import { describe, expect, test } from "bun:test";
import { AgiChannel } from "../../src/agi/channel.ts";
import { AgiArgumentError, AgiHangupError, AgiProtocolError, AgiShutdownError } from "../../src/agi/errors.ts";
import { AgiSession, MAX_COMMAND_BYTES } from "../../src/agi/session.ts";

/** A session whose transport records what was written; `alive` false simulates EPIPE. */
function recordingSession() {
  const written: string[] = [];
  const state = { alive: true, closed: false };
  const warnings: string[] = [];
  const session = new AgiSession(
    {
      write: (data) => (state.alive ? (written.push(data), true) : false),
      close: () => void (state.closed = true),
    },
    { warn: (message) => warnings.push(message) },
  );
  session.receive("agi_uniqueid: 1.1\nagi_channel: PJSIP/a-1\n\n");
  return { session, written, state, warnings };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe("AgiSession", () => {
  test("one command in flight: the next is written only after the reply", async () => {
    const { session, written } = recordingSession();
    const first = session.send("ANSWER");
    const second = session.send("CHANNEL STATUS");
    await settle();
    expect(written).toEqual(["ANSWER\n"]);
    session.receive("200 result=0\n");
    expect((await first).result).toBe("0");
    await settle();
    expect(written).toEqual(["ANSWER\n", "CHANNEL STATUS\n"]);
    session.receive("200 result=6\n");
    expect((await second).result).toBe("6");
  });

  test("CR/LF and over-long commands are refused before anything is sent", async () => {
    const { session, written } = recordingSession();
    const channel = new AgiChannel(session, await session.ready);
    await expect(channel.setVariable("NOTE", "a\nHANGUP")).rejects.toBeInstanceOf(AgiArgumentError);
    await expect(session.send("VERBOSE a\r\nHANGUP")).rejects.toBeInstanceOf(AgiArgumentError);
    await expect(session.send(`VERBOSE "${"x".repeat(MAX_COMMAND_BYTES)}"`)).rejects.toThrow(/longer than/);
    expect(written).toEqual([]);
  });

  test("after a known hangup, commands a dead channel refuses are not sent; the allowed ones are", async () => {
    const { session, written } = recordingSession();
    const channel = new AgiChannel(session, await session.ready);
    session.markHungUp("sighup");
    await expect(channel.streamFile("hello")).rejects.toMatchObject({ name: "AgiHangupError", reason: "sighup" });
    await expect(channel.waitForDigit(100)).rejects.toBeInstanceOf(AgiHangupError);
    await channel.hangup(); // already gone: nothing to do
    expect(written).toEqual([]);
    const value = channel.getVariable("DIALSTATUS");
    await settle();
    expect(written).toEqual(["GET VARIABLE DIALSTATUS\n"]);
    session.receive("200 result=1 (ANSWER)\n");
    expect(await value).toBe("ANSWER");
  });

  test("the peer closing fails the command in flight and every later one, once each", async () => {
    const { session } = recordingSession();
    const inFlight = session.send("WAIT FOR DIGIT 5000");
    const queued = session.send("ANSWER");
    session.end();
    await expect(inFlight).rejects.toMatchObject({ name: "AgiHangupError", reason: "closed", command: "WAIT FOR DIGIT 5000" });
    await expect(queued).rejects.toMatchObject({ reason: "closed" });
    await expect(session.send("NOOP")).rejects.toMatchObject({ reason: "closed" });
    expect(session.signal.aborted).toBe(true);
  });

  test("the signal is aborted with the cause given to close(), whether asked for before or after", () => {
    const cause = new AgiShutdownError();
    const before = recordingSession().session;
    const signal = before.signal;
    before.close("server shutting down", cause);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(cause);
    const after = recordingSession().session;
    after.close("server shutting down", cause);
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe(cause);
    const ended = recordingSession().session;
    ended.end();
    expect(ended.signal.reason).toBeInstanceOf(Error);
  });

  test("a write that fails (EPIPE) ends the session instead of throwing", async () => {
    const { session, state } = recordingSession();
    state.alive = false;
    await expect(session.send("ANSWER")).rejects.toMatchObject({ reason: "closed" });
    expect(session.closed).toBe(true);
  });

  test("garbage in place of a reply fails that command with the raw line; the next one works", async () => {
    const { session } = recordingSession();
    const bad = session.send("CHANNEL STATUS");
    await settle();
    session.receive("<html>oops</html>\n");
    const error = await bad.catch((e) => e);
    expect(error).toBeInstanceOf(AgiProtocolError);
    expect(error.message).toContain('"<html>oops</html>"');
    const good = session.send("CHANNEL STATUS");
    await settle();
    session.receive("200 result=6\n");
    expect((await good).result).toBe("6");
  });

  test("a reply with no command in flight is reported, not matched to the next command", async () => {
    const { session, warnings } = recordingSession();
    session.receive("200 result=0\n");
    expect(warnings).toEqual(['reply with no command in flight: "200 result=0"']);
    const next = session.send("CHANNEL STATUS");
    await settle();
    session.receive("200 result=6\n");
    expect((await next).result).toBe("6");
  });

  test("thousands of stray replies: the first few are logged, then one count when the session ends", () => {
    const { session, warnings } = recordingSession();
    session.receive("200 result=0\n".repeat(20_000));
    expect(warnings).toHaveLength(3);
    session.end();
    expect(warnings.slice(3)).toEqual(["19997 more replies with no command in flight (not logged)"]);
  });

  test("input past a bound after the environment closes the session and is logged once, cut short", async () => {
    const { session, warnings, state } = recordingSession();
    const inFlight = session.send("GET VARIABLE X");
    await settle();
    session.receive("520-Invalid command syntax.  Proper usage follows:\n");
    for (let i = 0; i < 2000 && !session.closed; i++) session.receive(`${"usage ".repeat(20)}\n`);
    expect(session.closed).toBe(true);
    expect(state.closed).toBe(true);
    await expect(inFlight).rejects.toMatchObject({ reason: "closed" });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^closing the AGI session: a 520- reply block longer than 65536 bytes without its closing line: "520-Invalid/);
    expect(warnings[0]!.length).toBeLessThan(300);
  });

  test("fail(): FAILURE before anything else, then the close", () => {
    const { session, written, state } = recordingSession();
    session.fail("no such script");
    expect(written).toEqual(["FAILURE\n"]);
    expect(state.closed).toBe(true);
  });

  test("a connection closed before the environment ends rejects `ready` with a clear error", async () => {
    const session = new AgiSession({ write: () => true, close: () => {} });
    session.receive("agi_network: yes\nagi_uniq");
    session.end();
    await expect(session.ready).rejects.toThrow(/before the AGI environment was complete/);
  });

  test("hangup listeners hear the first reason once", async () => {
    const { session } = recordingSession();
    const heard: string[] = [];
    session.onHangup((reason) => heard.push(reason));
    session.receive("HANGUP\n");
    session.markHungUp("sighup");
    expect(heard).toEqual(["hangup-line"]);
    expect(session.hangupReason).toBe("hangup-line");
  });

  test("close() closes the transport and is idempotent", () => {
    const { session, state } = recordingSession();
    session.close();
    session.close();
    expect(state.closed).toBe(true);
  });
});
