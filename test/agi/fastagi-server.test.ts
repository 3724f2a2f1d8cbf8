import { afterEach, describe, expect, test } from "bun:test";
import { DEFAULT_LIMITS, type FastAgiServer, type FastAgiServerOptions, startFastAgiServer, withDefaults } from "../../src/agi/fastagi-server.ts";
import type { AgiHandler } from "../../src/agi/handler.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { driveRecorded, outcomeOf, type Outcome } from "../helpers/drive.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi, envText, expectRefused, fastAgiEnv, withScript } from "../helpers/fastagi-client.ts";
import { agiCommands, recorded } from "../helpers/transcript.ts";
import { waitFor } from "../helpers/wait.ts";

let server: FastAgiServer | undefined;
afterEach(async () => {
  await server?.stop(0);
  server = undefined;
});

function start(handlers: Record<string, AgiHandler>, limits?: FastAgiServerOptions["limits"]) {
  const captured = captureLog();
  server = startFastAgiServer({ hostname: "127.0.0.1", port: 0, route: (script) => handlers[script], limits, log: captured.log });
  return { server, ...captured };
}

const menu = recorded("fastagi-menu-digit2-queue");

test("limits left undefined (flags not given, keys not set) keep their defaults", () => {
  expect(withDefaults({ maxSessions: undefined, idleTimeoutMs: undefined, maxSessionMs: 5000 })).toEqual({ ...DEFAULT_LIMITS, maxSessionMs: 5000 });
});

describe("FastAGI server over real TCP", () => {
  test("binds to 127.0.0.1 and routes by script path, query parsed into parameters", async () => {
    const seen: Array<Record<string, string>> = [];
    const { server } = start({
      "ivr/main": async (channel) => void seen.push({ ...channel.env.params }),
    });
    expect(server.hostname).toBe("127.0.0.1");
    const client = await connectFastAgi(server.port);
    client.write(envText(fastAgiEnv("ivr/main?did=0212345678&lang=th")));
    expect(await client.lines.closed()).toEqual([]);
    expect(seen).toEqual([{ did: "0212345678", lang: "th" }]);
  });

  test("300 concurrent calls each replay a recorded menu call and are closed by the server", async () => {
    const commands = agiCommands(menu);
    const results: Outcome[][] = [];
    const { server } = start({ menu: async (channel) => void results.push(await driveRecorded(channel, commands)) });
    const calls = Array.from({ length: 300 }, async () => {
      const client = await connectFastAgi(server.port);
      return playAsterisk(menu, client, 20_000);
    });
    const played = await Promise.all(calls);
    expect(played.every((p) => p.received.length === commands.length)).toBe(true);
    expect(results).toHaveLength(300);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(results[0]![1]).toEqual({ value: { digit: "2", endpos: 13600, played: true } });
    await waitFor(() => server.activeSessions === 0, "sessions to end");
  });

  test("a finished session leaves nothing behind: its socket and session are released at once", async () => {
    const channels: Array<WeakRef<object>> = [];
    const { server } = start({
      ivr: async (channel) => {
        channel.onHangup(() => void channel.env); // the session now holds the channel
        channels.push(new WeakRef(channel));
        await channel.answer();
      },
    });
    for (let i = 0; i < 100; i++) {
      const client = await connectFastAgi(server.port);
      client.write(envText(fastAgiEnv("ivr")));
      expect(await client.lines.next()).toBe("ANSWER");
      client.write("200 result=0\n");
      expect(await client.lines.closed()).toEqual([]);
    }
    await waitFor(() => server.activeSessions === 0, "sessions to end");
    await Bun.sleep(10);
    Bun.gc(true);
    expect(channels).toHaveLength(100);
    expect(channels.filter((ref) => ref.deref() !== undefined).length).toBeLessThan(5);
  });

  test("HANGUP mid-session: dead-channel commands still run, the socket is closed at the end", async () => {
    const transcript = withScript(recorded("fastagi-hangup-during-prompt"), "ivr");
    let hungUp = false;
    const { server } = start({
      ivr: async (channel) => {
        await driveRecorded(channel, agiCommands(transcript));
        hungUp = channel.hungUp;
      },
    });
    const client = await connectFastAgi(server.port);
    const { skipped } = await playAsterisk(transcript, client);
    expect(skipped).toEqual(["WAIT FOR DIGIT 100"]);
    expect(hungUp).toBe(true);
  });

  test("a client that drops mid-command: the handler gets a hangup, later writes are harmless", async () => {
    const outcomes: Array<Outcome | boolean> = [];
    let finished!: () => void;
    const handlerDone = new Promise<void>((resolve) => (finished = resolve));
    const { server } = start({
      ivr: async (channel) => {
        await channel.answer();
        outcomes.push(await outcomeOf(channel.waitForDigit(5000)));
        outcomes.push(await channel.verbose("after the drop"));
        outcomes.push(await outcomeOf(channel.getVariable("DIALSTATUS")));
        finished();
      },
    });
    const client = await connectFastAgi(server.port);
    client.write(envText(fastAgiEnv("ivr")));
    expect(await client.lines.next()).toBe("ANSWER");
    client.write("200 result=0\n");
    expect(await client.lines.next()).toBe("WAIT FOR DIGIT 5000");
    client.close();
    await handlerDone;
    expect(outcomes).toEqual([{ hangup: "closed" }, false, { hangup: "closed" }]);
    await waitFor(() => server.activeSessions === 0, "the session to end");
  });

  test("a handler that throws: its call is closed and logged, the server keeps serving", async () => {
    let calls = 0;
    const { server, text } = start({
      ivr: async (channel) => {
        calls++;
        await channel.answer();
        if (calls === 1) throw new Error("boom in the handler");
      },
    });
    for (let i = 0; i < 2; i++) {
      const client = await connectFastAgi(server.port);
      client.write(envText(fastAgiEnv("ivr")));
      expect(await client.lines.next()).toBe("ANSWER");
      client.write("200 result=0\n");
      expect(await client.lines.closed()).toEqual([]);
    }
    expect(calls).toBe(2);
    expect(text()).toContain("boom in the handler");
  });

  test("an unknown script: FAILURE for the dialplan's fallback, one WARN naming the script and the dialplan line", async () => {
    const { server, lines } = start({ ivr: async () => {} });
    await expectRefused(server.port, "nosuch?x=1");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("WARN [1795264117.9]");
    expect(lines[0]).toContain('no FastAGI script "nosuch": check the AGI(agi://host:port/<script>) line at "probe-fast,0212345678,2" in the dialplan');
  });

  test("a uniqueid that is not one cannot forge log lines: the call's log prefix is quoted", async () => {
    const { server, lines } = start({ ivr: async () => {} });
    const env = fastAgiEnv("nosuch").flatMap((line) => (line.startsWith("agi_uniqueid: ") ? [line, "2026-01-01T00:00:00.000Z ERROR forged"] : [line]));
    const client = await connectFastAgi(server.port);
    client.write(envText(env));
    expect(await client.lines.closed()).toEqual(["FAILURE"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('WARN ["1795264117.9\\n2026-01-01T00:00:00.000Z ER"... (50 bytes)] no FastAGI script');
  });

  test("a non-AGI client is answered FAILURE and closed, its garbage quoted and cut short in the log", async () => {
    const { server, text } = start({ ivr: async () => {} });
    const http = await connectFastAgi(server.port);
    http.write(`GET /${"x".repeat(5000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(await http.lines.closed()).toEqual(["FAILURE"]);
    expect(text()).toContain('not an AGI environment line: "GET /xxx');
    expect(text()).toContain("... (5014 bytes)");
    expect(text().length).toBeLessThan(400);
  });

  test("an environment that never ends is refused after envTimeoutMs", async () => {
    const { server, text } = start({ ivr: async () => {} }, { envTimeoutMs: 100 });
    const slow = await connectFastAgi(server.port);
    slow.write("agi_network: yes\nagi_network_script: ivr\n");
    expect(await slow.lines.closed()).toEqual(["FAILURE"]);
    expect(text()).toContain("no AGI environment: timed out after 100 ms");
    await waitFor(() => server.activeSessions === 0, "the slot to be free");
  });

  test("watchdog: a handler stuck in its own code is closed; one waiting on Asterisk is not", async () => {
    const { server, text } = start(
      {
        stuck: async (channel) => {
          await channel.answer();
          await new Promise(() => {}); // never resolves, e.g. a dependency without a timeout
        },
        waiting: async (channel) => {
          await channel.exec("Queue", "10001");
          await channel.verbose("queue call over");
        },
      },
      { idleTimeoutMs: 100 },
    );
    const stuck = await connectFastAgi(server.port);
    stuck.write(envText(fastAgiEnv("stuck")));
    expect(await stuck.lines.next()).toBe("ANSWER");
    stuck.write("200 result=0\n");
    expect(await stuck.lines.closed()).toEqual([]);
    expect(text()).toContain("watchdog");

    const waiting = await connectFastAgi(server.port);
    waiting.write(envText(fastAgiEnv("waiting")));
    expect(await waiting.lines.next()).toBe("EXEC Queue 10001");
    await Bun.sleep(500); // five idle timeouts while the command is with Asterisk
    waiting.write("200 result=-1\n");
    expect(await waiting.lines.next()).toBe('VERBOSE "queue call over" 1');
    waiting.write("200 result=1\n");
    expect(await waiting.lines.closed()).toEqual([]);
    await waitFor(() => server.activeSessions === 0, "sessions to end");
  });

  test("the session cap: a connection beyond it is refused with FAILURE, capacity returns when a call ends", async () => {
    const { server, text } = start({ ivr: async (channel) => void (await channel.waitForDigit(10_000)) }, { maxSessions: 2 });
    const held = await Promise.all([connectFastAgi(server.port), connectFastAgi(server.port)]);
    for (const client of held) {
      client.write(envText(fastAgiEnv("ivr")));
      expect(await client.lines.next()).toBe("WAIT FOR DIGIT 10000");
    }
    await expectRefused(server.port);
    // Asterisk may still be writing its environment when FAILURE arrives: it is read, not cut (an RST could lose the FAILURE).
    const late = await connectFastAgi(server.port);
    expect(await late.lines.next()).toBe("FAILURE");
    const env = envText(fastAgiEnv("ivr"));
    late.write(env.slice(0, 100));
    await Bun.sleep(50);
    late.write(env.slice(100));
    expect(await late.lines.closed()).toEqual([]);
    expect(text()).toContain("with FAILURE: 2 sessions running (max_sessions)");

    held[0]!.write("200 result=0\n");
    expect(await held[0]!.lines.closed()).toEqual([]);
    await waitFor(() => server.activeSessions === 1, "a free slot");
    const next = await connectFastAgi(server.port);
    next.write(envText(fastAgiEnv("ivr")));
    expect(await next.lines.next()).toBe("WAIT FOR DIGIT 10000");
    next.close();
    held[1]!.close();
  });

  test("stop(): new calls refused with FAILURE, running sessions may finish, the rest are closed at the deadline", async () => {
    const { server } = start({ ivr: async (channel) => void (await channel.waitForDigit(10_000)) });
    const finishing = await connectFastAgi(server.port);
    const lingering = await connectFastAgi(server.port);
    for (const client of [finishing, lingering]) {
      client.write(envText(fastAgiEnv("ivr")));
      expect(await client.lines.next()).toBe("WAIT FOR DIGIT 10000");
    }
    const stopped = server.stop(300);
    await expectRefused(server.port);
    finishing.write("200 result=49\n");
    expect(await finishing.lines.closed()).toEqual([]);
    await stopped;
    expect(await lingering.lines.closed()).toEqual([]);
    expect(server.activeSessions).toBe(0);
  });
});
