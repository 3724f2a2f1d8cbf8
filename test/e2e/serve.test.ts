import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, test } from "bun:test";
import { compiledBinary } from "../helpers/binary.ts";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi, envText, expectRefused, fastAgiEnv } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { loadTranscript } from "../helpers/transcript.ts";
import { LineReader } from "../helpers/line-reader.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

/** Starts `ivr serve` on a free port and reads the port from its log. */
async function startServe(args: string[]) {
  const db = join(mkdtempSync(join(tmpdir(), "ivr-serve-db-")), "ivr.sqlite");
  const proc = Bun.spawn([binary, "serve", "--config", IVR_CONFIG, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0", ...args], { stdout: "pipe", stderr: "pipe" });
  const log = LineReader.fromStream(proc.stderr);
  const seen: string[] = [];
  for (;;) {
    const line = await log.next(10_000, "the listening line");
    if (line === undefined) throw new Error(`ivr serve exited: ${seen.join("\n")}`);
    seen.push(line);
    const port = /FastAGI listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (port) return { proc, port: Number(port), log, seen, db };
  }
}

async function logLine(log: LineReader, text: string): Promise<string> {
  for (;;) {
    const line = await log.next(5000, `a log line with "${text}"`);
    if (line === undefined) throw new Error(`the log ended without "${text}"`);
    if (line.includes(text)) return line;
  }
}

/** Drives the IVR up to its welcome prompt, where it waits for Asterisk. */
async function callUpToPrompt(port: number) {
  const client = await connectFastAgi(port);
  client.write(envText(fastAgiEnv("ivr")));
  expect(await client.lines.next()).toBe('VERBOSE "Incoming call - DID: 0212345678" 1');
  client.write("200 result=1\n");
  expect(await client.lines.next()).toBe("CHANNEL STATUS");
  client.write("200 result=6\n");
  expect(await client.lines.next()).toBe('STREAM FILE demo-congrats "0123456789"');
  return client;
}

describe("ivr serve plays the IVR at agi://host/ivr", () => {
  test("recorded FastAGI menu calls, several at once, against the compiled binary", async () => {
    const { proc, port, log, seen, db } = await startServe([]);
    const files = ["fastagi-queue-at-once.txt", "fastagi-ext1001-answered.txt", "fastagi-no-input.txt", "fastagi-dial-cancel.txt", "fastagi-hangup-during-welcome.txt"];
    await Promise.all(files.map(async (file) => playAsterisk(loadTranscript(join(IVR_FIXTURES, file)), await connectFastAgi(port))));
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    // Default limits (no flags, no server: section) must be real numbers: a NaN timer warns.
    const stderr = [...seen, ...(await log.closed())].join("\n");
    expect(stderr).not.toMatch(/Warning|NaN/);
    expect(stderr.match(/Call finished/g)).toHaveLength(files.length);
    // Recorded by the writer thread, which the binary must carry (scripts/build.ts).
    expect(stderr).not.toContain("writer thread");
    const history = new Database(db, { readonly: true });
    expect(history.query("select count(*) as n from calls").get()).toEqual({ n: files.length });
    history.close();
  });
});

describe("ivr serve settings", () => {
  test("the config's server: section applies (max_sessions), and flags win over it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-serve-"));
    const config = join(dir, "ivr.yaml");
    writeFileSync(config, `${readFileSync(IVR_CONFIG, "utf8")}\nserver:\n  max_sessions: 1\n  fastagi: "127.0.0.1:1"\n`);
    const proc = Bun.spawn([binary, "serve", "--config", config, "--db", join(dir, "ivr.sqlite"), "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], { stdout: "pipe", stderr: "pipe" });
    const log = LineReader.fromStream(proc.stderr);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await logLine(log, "FastAGI listening on"))?.[1]);
    expect(port).toBeGreaterThan(1); // --fastagi won over server.fastagi
    const first = await callUpToPrompt(port);
    await expectRefused(port);
    expect(await logLine(log, "refusing a FastAGI connection")).toContain("with FAILURE: 1 sessions running (max_sessions)");
    first.close();
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });
});

describe("ivr serve and SIGTERM", () => {
  test("stops accepting, lets the call in flight finish, exits 0", async () => {
    const { proc, port, log } = await startServe(["--shutdown-grace", "10"]);
    const client = await callUpToPrompt(port);
    proc.kill("SIGTERM");
    await logLine(log, "SIGTERM: no new calls");
    await expectRefused(port);
    await logLine(log, "with FAILURE: shutting down");

    client.write("200 result=50 endpos=800\n");
    expect(await client.lines.next()).toBe("WAIT FOR DIGIT 3000");
    client.write("200 result=0\n");
    expect(await client.lines.next()).toBe('VERBOSE "Routing to queue: 10002" 1');
    client.write("200 result=1\n");
    expect(await client.lines.next()).toBe("EXEC Queue 10002");
    client.write("200 result=-1\n");
    for (const name of ["QUEUESTATUS", "ABANDONED", "ANSWEREDTIME", "QUEUEWAIT", "MEMBERINTERFACE", "CHANNEL(linkedid)"]) {
      expect(await client.lines.next()).toBe(`GET VARIABLE ${name}`);
      client.write("200 result=0\n");
    }
    expect(await client.lines.closed()).toEqual([]);
    expect(await proc.exited).toBe(0);
  });

  test("a call still running at the deadline is closed, then exit 0", async () => {
    const { proc, port } = await startServe(["--shutdown-grace", "0.3"]);
    const client = await callUpToPrompt(port);
    proc.kill("SIGTERM");
    expect(await client.lines.closed()).toEqual([]);
    expect(await proc.exited).toBe(0);
  });
});
