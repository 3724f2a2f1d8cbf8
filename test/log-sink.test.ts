import { describe, expect, test } from "bun:test";
import { closeSync, constants, openSync, readFileSync, readSync, write } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LogSink } from "../src/log-sink.ts";
import { nonBlockingWriter } from "../src/log-writers.ts";
import { createLogger, peerText } from "../src/log.ts";

/** A sink whose writes complete only when the test says so, like a pipe nobody reads. */
function stalledSink(maxBytes: number) {
  const written: string[] = [];
  const pending: Array<() => void> = [];
  const sink = new LogSink(
    () => (data, done) => {
      pending.push(() => {
        written.push(data.toString());
        done(null, data.length);
      });
    },
    maxBytes,
  );
  const release = () => {
    while (pending.length) pending.shift()!();
  };
  return { sink, written, release };
}

describe("LogSink", () => {
  test("a stalled sink never blocks the caller: past the bound lines are dropped and counted", () => {
    const { sink, written } = stalledSink(100);
    const started = performance.now();
    for (let i = 0; i < 50; i++) sink.push(`line ${String(i).padStart(2, "0")} ${"x".repeat(10)}\n`);
    expect(performance.now() - started).toBeLessThan(1000); // returns at once: nothing waited for the write
    expect(written).toEqual([]);
    // One 19-character line went to the (stalled) write, five more fit the 100-character queue.
    expect(sink.dropped).toBe(50 - 1 - 5);
  });

  test("when the sink drains again, one warning says how many lines were lost", () => {
    const { sink, written, release } = stalledSink(100);
    for (let i = 0; i < 20; i++) sink.push(`line ${String(i).padStart(2, "0")} ${"x".repeat(10)}\n`);
    release();
    release();
    release();
    const text = written.join("");
    expect(text.startsWith("line 00")).toBe(true);
    expect(text.match(/^line/gm)).toHaveLength(6);
    expect(text.match(/WARN the log output was too slow: 14 lines dropped \(ivr_log_lines_dropped_total\)/g)).toHaveLength(1);
    expect(sink.idle).toBe(true);
    expect(sink.dropped).toBe(14);
  });

  test("a partial write is resumed where it stopped, lines stay whole and in order", async () => {
    const chunks: string[] = [];
    const sink = new LogSink(() => (data, done) => {
      const half = Math.max(1, Math.floor(data.length / 2));
      chunks.push(data.subarray(0, half).toString());
      queueMicrotask(() => done(null, half));
    });
    for (let i = 0; i < 5; i++) sink.push(`line ${i}\n`);
    await sink.flush(1000);
    expect(chunks.join("")).toBe("line 0\nline 1\nline 2\nline 3\nline 4\n");
  });

  test("flush() waits for the queue, but never longer than its bound", async () => {
    const { sink } = stalledSink(1000);
    sink.push("stuck forever\n");
    const started = performance.now();
    await sink.flush(30);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(sink.idle).toBe(false);
  });

  test("a write error (EPIPE) stops the sink quietly", async () => {
    let calls = 0;
    const sink = new LogSink(() => (_data, done) => {
      calls++;
      queueMicrotask(() => done(new Error("EPIPE")));
    });
    sink.push("a\n");
    await sink.flush(100);
    sink.push("b\n");
    await sink.flush(100);
    expect(calls).toBe(1);
    expect(sink.idle).toBe(true);
  });

  test("to a regular file: written synchronously, nothing left to flush", () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-log-")), "log");
    const fd = openSync(path, "w");
    const sink = new LogSink(() => nonBlockingWriter(fd));
    const log = createLogger({ write: (line) => sink.push(line) });
    log.info("hello");
    log.warn(`peer sent ${peerText("z".repeat(1000))}`);
    expect(sink.idle).toBe(true);
    closeSync(fd);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^\S+Z INFO hello\n\S+Z WARN peer sent "z{120}"\.\.\. \(1000 bytes\)\n$/);
  });

  test("to a pipe nobody reads: never blocks, drops and counts, the shared descriptor stays blocking; reading again brings the warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-log-"));
    const fifo = join(dir, "fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const fd = openSync(fifo, "r+"); // read and write ends in one descriptor; nobody reads yet
    const sink = new LogSink(() => nonBlockingWriter(fd));
    const line = `${"x".repeat(99)}\n`;
    for (let i = 0; i < 4000; i++) sink.push(line); // 400 KB: more than the pipe and the queue hold
    expect(sink.dropped).toBeGreaterThan(0);
    expect(sink.idle).toBe(false);
    const flags = /flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "utf8"))![1]!;
    expect(Number.parseInt(flags, 8) & constants.O_NONBLOCK).toBe(0);

    let seen = "";
    const buffer = Buffer.alloc(65536);
    const deadline = Date.now() + 10_000;
    while (!seen.includes("lines dropped") && Date.now() < deadline) {
      seen += buffer.subarray(0, readSync(fd, buffer)).toString();
      await Bun.sleep(25); // the sink retries a full pipe every 20 ms
    }
    expect(seen).toContain(`WARN the log output was too slow: ${sink.dropped} lines dropped`);
    closeSync(fd);
  });

  test("to a real file descriptor, through node:fs's asynchronous write", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-log-")), "log");
    const fd = openSync(path, "w");
    const sink = new LogSink(() => (data, done) => write(fd, data, (error, n) => done(error, n)));
    const log = createLogger({ write: (line) => sink.push(line) });
    log.info("hello");
    log.warn(`peer sent ${peerText("z".repeat(1000))}`);
    await sink.flush(1000);
    closeSync(fd);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^\S+Z INFO hello\n\S+Z WARN peer sent "z{120}"\.\.\. \(1000 bytes\)\n$/);
  });
});

describe("the process's stderr, never read by its reader", () => {
  // Bun.spawn's "pipe" is a socketpair: the journald case (send with MSG_DONTWAIT).
  test("a socket: the process logs, drops, and exits; fd 2 stays blocking (it is shared with Asterisk per call)", async () => {
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "helpers", "log-flood.ts"), "5000"], { stdout: "pipe", stderr: "pipe" });
    const report = JSON.parse(await new Response(proc.stdout).text()) as { pushMs: number; dropped: number; flags: string };
    expect(await proc.exited).toBe(0);
    expect(report.dropped).toBeGreaterThan(0);
    expect(Number.parseInt(report.flags, 8) & constants.O_NONBLOCK).toBe(0);
    const received = await new Response(proc.stderr).text();
    expect(received.length).toBeGreaterThan(100_000);
  });

  test("a socket that is read: every line arrives, none dropped", async () => {
    const proc = Bun.spawn([process.execPath, join(import.meta.dir, "helpers", "log-flood.ts"), "1000"], { stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
    expect(await proc.exited).toBe(0);
    expect(JSON.parse(stdout).dropped).toBe(0);
    expect(stderr.trim().split("\n")).toHaveLength(1000);
  });
});

describe("peerText", () => {
  test("quotes and escapes, so a peer cannot forge a log line", () => {
    expect(peerText("a\nb")).toBe('"a\\nb"');
  });
});
