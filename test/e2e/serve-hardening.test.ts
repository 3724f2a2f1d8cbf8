import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi, envText, fastAgiEnv } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { loadTranscript } from "../helpers/transcript.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

const running: Bun.Subprocess[] = [];
afterEach(async () => {
  for (const proc of running.splice(0)) {
    proc.kill("SIGKILL");
    await proc.exited;
  }
});

function serve(args: string[], stderr: "pipe" | number = "pipe") {
  const db = join(mkdtempSync(join(tmpdir(), "ivr-serve-hard-")), "ivr.sqlite");
  const proc = Bun.spawn([binary, "serve", "--config", IVR_CONFIG, "--db", db, ...args], { stdout: "ignore", stderr });
  running.push(proc);
  return proc;
}

/** Starts `ivr serve` on free ports, reading them from its log. */
async function serveLogged() {
  const proc = serve(["--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"]);
  const log = LineReader.fromStream(proc.stderr as ReadableStream<Uint8Array>);
  const seen: string[] = [];
  let http = 0;
  for (;;) {
    const line = await log.next(10_000, "the listening lines");
    if (line === undefined) throw new Error(`ivr serve exited: ${seen.join("\n")}`);
    seen.push(line);
    http ||= Number(/HTTP API listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0);
    const fastagi = Number(/FastAGI listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0);
    if (fastagi) return { proc, fastagi, http, log };
  }
}

/** A port free a moment ago. */
function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

/**
 * Streams `head`, then `line` over and over, up to `total` bytes or until the server cuts the
 * connection. Returns how much the server took.
 */
async function flood(port: number, head: string, line: string, total: number): Promise<{ sent: number; cut: boolean }> {
  let cut = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    cut = true;
    wake?.();
  };
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: { data() {}, drain: () => wake?.(), close: stop, end: stop, error: stop },
  });
  socket.write(head);
  const chunk = Buffer.from(line.repeat(Math.ceil(256 * 1024 / line.length)));
  let sent = 0;
  while (!cut && sent < total) {
    const written = socket.write(chunk);
    if (written < 0) break;
    sent += written;
    if (written < chunk.length) await new Promise<void>((resolve) => ((wake = resolve), setTimeout(resolve, 1000)));
  }
  socket.end();
  return { sent, cut };
}

describe("a busy port: the error says which address, what for, and why", () => {
  test.each([
    ["FastAGI", "--fastagi", "--http", "change --fastagi or server.fastagi"],
    ["the HTTP API", "--http", "--fastagi", "change --http or server.http"],
  ])("%s", async (what, busyFlag, otherFlag, hint) => {
    const holder = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const proc = serve([busyFlag, `127.0.0.1:${holder.port}`, otherFlag, "127.0.0.1:0"]);
      const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
      expect(code).toBe(1);
      expect(stderr).toContain(
        `ivr serve cannot start: cannot listen for ${what} on 127.0.0.1:${holder.port}: the address is already in use (another ivr serve, or another program on that port); ${hint}`,
      );
    } finally {
      holder.stop(true);
    }
  });
});

describe("one FastAGI connection cannot take the memory", () => {
  test("an endless environment and an unterminated 520- block: each session cut early, logged once, the RSS stays bounded", async () => {
    const { proc, fastagi, log } = await serveLogged();
    // A normal call first, so the baseline includes everything a call loads.
    await playAsterisk(loadTranscript(join(IVR_FIXTURES, "fastagi-queue-at-once.txt")), await connectFastAgi(fastagi));
    const baseline = rssKiB(proc.pid);
    const TOTAL = 40 * 1024 * 1024;

    const env = await flood(fastagi, "agi_network: yes\n", "agi_x: y\n", TOTAL);
    expect(env.cut).toBe(true);
    expect(env.sent).toBeLessThan(TOTAL);

    // The 520- block after the first command; its closing "520 " line never comes.
    const client = await connectFastAgi(fastagi);
    client.write(envText(fastAgiEnv("ivr")));
    expect(await client.lines.next()).toStartWith("VERBOSE");
    client.close();
    const block = await flood(fastagi, `${envText(fastAgiEnv("ivr"))}200 result=1\n200 result=6\n520-Invalid command syntax.  Proper usage follows:\n`, " Usage: x\n", TOTAL);
    expect(block.cut).toBe(true);
    expect(block.sent).toBeLessThan(TOTAL);

    await Bun.sleep(300);
    const after = rssKiB(proc.pid);
    // Generous: before the bounds, 40 MB of environment lines grew the server by hundreds of MB.
    expect(after - baseline).toBeLessThan(64 * 1024);

    // The server still serves, and each cut was logged once, the peer's text cut short.
    await playAsterisk(loadTranscript(join(IVR_FIXTURES, "fastagi-queue-at-once.txt")), await connectFastAgi(fastagi));
    proc.kill("SIGTERM");
    const lines = await log.closed(15_000);
    expect(lines.filter((l) => l.includes("AGI environment longer than 256 lines"))).toHaveLength(1);
    expect(lines.filter((l) => l.includes("a 520- reply block longer than 65536 bytes"))).toHaveLength(1);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(500);
  });
});

describe("a stderr nobody reads never stops the daemon", () => {
  test("hundreds of FastAGI calls and /health requests are all served; the dropped lines are counted", async () => {
    const [fastagi, http] = [freePort(), freePort()];
    // stderr is a pipe that nobody reads: a FIFO this test holds open and never reads
    // (Bun.spawn's own "pipe" is read by the parent as soon as data arrives).
    const fifo = join(mkdtempSync(join(tmpdir(), "ivr-fifo-")), "stderr");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const unread = openSync(fifo, "r+");
    const proc = serve(["--fastagi", `127.0.0.1:${fastagi}`, "--http", `127.0.0.1:${http}`], unread);
    const health = async () => (await fetch(`http://127.0.0.1:${http}/health`)).status;
    for (let tries = 0; (await health().catch(() => 0)) !== 200; tries++) {
      if (tries > 200) throw new Error("ivr serve did not answer /health");
      await Bun.sleep(50);
    }
    const transcript = loadTranscript(join(IVR_FIXTURES, "fastagi-queue-at-once.txt"));
    const dropped = async () => Number(/^ivr_log_lines_dropped_total (\d+)$/m.exec(await (await fetch(`http://127.0.0.1:${http}/metrics`)).text())?.[1]);
    // Each call logs ~450 bytes: past the pipe's 64 KiB and the 256 KiB queue after ~750 calls.
    let calls = 0;
    let healthChecks = 0;
    while (!((await dropped()) > 0) && calls < 5000) {
      const played = await Promise.all(Array.from({ length: 50 }, async () => playAsterisk(transcript, await connectFastAgi(fastagi), 10_000)));
      calls += played.filter((p) => p.received.length === 12).length;
      expect(await health()).toBe(200);
      healthChecks++;
    }
    expect(await dropped()).toBeGreaterThan(0);
    expect(calls).toBeGreaterThanOrEqual(300);
    expect(calls).toBe(healthChecks * 50);
    expect(await (await fetch(`http://127.0.0.1:${http}/metrics`)).text()).toContain("# TYPE ivr_log_lines_dropped_total counter");
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    closeSync(unread);
  });
});
