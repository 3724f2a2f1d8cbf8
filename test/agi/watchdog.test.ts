import { describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS } from "../../src/agi/fastagi-server.ts";
import { AgiSession } from "../../src/agi/session.ts";
import { Watchdog } from "../../src/agi/watchdog.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { waitFor } from "../helpers/wait.ts";

const limits = { ...DEFAULT_LIMITS, envTimeoutMs: 1000, idleTimeoutMs: 40, maxSessionMs: 10_000 };

function sessionIn(sessions: Set<AgiSession>, clock: () => number) {
  const transport = { written: [] as string[], closed: false, write: (data: string) => (transport.written.push(data), true), close: () => void (transport.closed = true) };
  const session = new AgiSession(transport, { clock, onClose: () => sessions.delete(session) });
  sessions.add(session);
  return { session, transport };
}

describe("the FastAGI watchdog", () => {
  test("runs only while there are sessions: an idle server has no timer", async () => {
    const sessions = new Set<AgiSession>();
    const watchdog = new Watchdog(sessions, limits, captureLog().log);
    expect(watchdog.running).toBe(false);
    const { session } = sessionIn(sessions, Date.now);
    watchdog.start();
    expect(watchdog.running).toBe(true);
    session.close();
    expect(sessions.size).toBe(0);
    await waitFor(() => !watchdog.running, "the timer to stop once no session is left");
    watchdog.start();
    expect(watchdog.running).toBe(true);
    watchdog.stop();
  });

  test("closes a session whose handler is idle, one without an environment, one too old; not one waiting on Asterisk", async () => {
    let now = 1_000_000;
    const sessions = new Set<AgiSession>();
    const { log, text } = captureLog();
    const watchdog = new Watchdog(sessions, limits, log, () => now);
    const idle = sessionIn(sessions, () => now);
    idle.session.receive("agi_uniqueid: 1.1\n\n");
    const waiting = sessionIn(sessions, () => now);
    waiting.session.receive("agi_uniqueid: 1.2\n\n");
    void waiting.session.send("EXEC Queue 10001").catch(() => {});
    const noEnv = sessionIn(sessions, () => now);
    now += 1001;
    watchdog.start();
    await waitFor(() => sessions.size === 1, "the idle and the silent session to be closed");
    expect(idle.transport.closed).toBe(true);
    expect(noEnv.transport.written).toEqual(["FAILURE\n"]);
    expect(waiting.transport.closed).toBe(false);
    expect(text()).toContain("watchdog: FastAGI session sent nothing for 40 ms");
    now += 10_000;
    await waitFor(() => sessions.size === 0, "the old session to be closed");
    expect(text()).toContain("watchdog: FastAGI session older than 10000 ms");
    await waitFor(() => !watchdog.running, "the timer to stop");
  });
});
