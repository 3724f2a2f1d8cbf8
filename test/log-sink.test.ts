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
  const line = (i: number) => `line ${String(i).padStart(2, "0")} ${"x".repeat(10)}\n`; // 19 characters

  test("lines go out together once the current turn of the event loop is done", async () => {
    const { sink, written, release } = stalledSink(1000);
    sink.push(line(0));
    sink.push(line(1));
    expect(written).toEqual([]);
    await Bun.sleep(0);
    release();
    expect(written).toEqual([line(0) + line(1)]);
  });

  test("a stalled sink never blocks the caller: past the bound lines are dropped and counted", async () => {
    const { sink, written } = stalledSink(100);
    for (let i = 0; i < 5; i++) sink.push(line(i)); // 95 characters: they fit
    await Bun.sleep(0); // ... and go to the write, which never completes
    for (let i = 5; i < 50; i++) sink.push(line(i)); // five more fit the queue
    expect(written).toEqual([]);
    expect(sink.dropped).toBe(40);
  });

  test("when the sink drains again, one warning says how many lines were lost", async () => {
    const { sink, written, release } = stalledSink(100);
    for (let i = 0; i < 20; i++) sink.push(line(i));
    await Bun.sleep(0);
    release();
    release();
    const text = written.join("");
    expect(text).toBe(`${[0, 1, 2, 3, 4].map(line).join("")}${text.slice(95)}`);
    expect(text.slice(95)).toMatch(/^\S+Z WARN the log output was too slow: 15 lines dropped \(ivr_log_lines_dropped_total\)\n$/);
    expect(sink.idle).toBe(true);
    expect(sink.dropped).toBe(15);
  });

  test("a partial write is resumed where it stopped, lines stay whole and in order", async () => {
    const chunks: string[] = [];
    const sink = new LogSink(() => (data, done) => {
      const bytes = Buffer.from(data);
      const half = Math.max(1, Math.floor(bytes.length / 2));
      chunks.push(bytes.subarray(0, half).toString("latin1"));
      queueMicrotask(() => done(null, half));
    });
    for (let i = 0; i < 5; i++) sink.push(`line ${i} ü\n`); // a character cut by a partial write is completed by the next
    await sink.flush(1000);
    expect(Buffer.concat(chunks.map((c) => Buffer.from(c, "latin1"))).toString()).toBe("line 0 ü\nline 1 ü\nline 2 ü\nline 3 ü\nline 4 ü\n");
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

  test("to a regular file: written synchronously when the turn ends, or at flush()", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-log-")), "log");
    const fd = openSync(path, "w");
    const sink = new LogSink(() => nonBlockingWriter(fd));
    const log = createLogger({ write: (line) => sink.push(line) });
    log.info("hello");
    log.warn(`peer sent ${peerText("z".repeat(1000))}`);
    const flushed = sink.flush(0);
    expect(sink.idle).toBe(true); // flush() wrote at once, nothing was waited for
    await flushed;
    closeSync(fd);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/^\S+Z INFO hello\n\S+Z WARN peer sent "z{120}"\.\.\. \(1000 bytes\)\n$/);
  });

  test("ivr serve's way: lines of many turns gathered into one write; a regular file written off the event loop", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-log-")), "log");
    const fd = openSync(path, "w");
    let writes = 0;
    const offThread = nonBlockingWriter(fd, { regularFilesOffThread: true });
    const sink = new LogSink(() => (data, done) => (writes++, offThread(data, done)));
    sink.gatherFor(60_000); // written at flush() here; a timer does it in ivr serve
    const log = createLogger({ write: (line) => sink.push(line) });
    for (let turn = 0; turn < 5; turn++) {
      log.info(`turn ${turn}`);
      await Bun.sleep(0);
    }
    expect(writes).toBe(0);
    await sink.flush(1000);
    expect(writes).toBe(1);
    closeSync(fd);
    expect(readFileSync(path, "utf8").match(/INFO turn \d/g)).toEqual(["INFO turn 0", "INFO turn 1", "INFO turn 2", "INFO turn 3", "INFO turn 4"]);
  });

  test("to a pipe nobody reads: never blocks, drops and counts, the shared descriptor stays blocking; reading again brings the warning", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-log-"));
    const fifo = join(dir, "fifo");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const fd = openSync(fifo, "r+"); // read and write ends in one descriptor; nobody reads yet
    const sink = new LogSink(() => nonBlockingWriter(fd));
    const hundred = `${"x".repeat(99)}\n`; // 100 characters
    for (let i = 0; i < 4000; i++) sink.push(hundred); // 400 KB: more than the queue holds
    expect(sink.dropped).toBeGreaterThan(0);
    await sink.flush(0); // the pipe takes 64 KiB and answers EAGAIN: nothing blocks
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
    const sink = new LogSink(() => (data, done) => write(fd, Buffer.from(data), (error, n) => done(error, n)));
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

describe("a process that ends without flushLogs()", () => {
  test.each([
    ["process.exit", "process.exit(3);", 3],
    ["an uncaught error", 'throw new Error("boom");', 1],
  ])("%s: the lines of its last turn are written", async (_what, end, code) => {
    const script = `import { createLogger } from ${JSON.stringify(join(import.meta.dir, "..", "src", "log.ts"))}; createLogger().error("last words"); ${end}`;
    const proc = Bun.spawn([process.execPath, "-e", script], { stdout: "ignore", stderr: "pipe" });
    const stderr = await new Response(proc.stderr).text();
    expect(await proc.exited).toBe(code);
    expect(stderr).toMatch(/^\S+Z ERROR last words$/m);
  });
});

describe("peerText", () => {
  test("quotes and escapes, so a peer cannot forge a log line", () => {
    expect(peerText("a\nb")).toBe('"a\\nb"');
  });
});
