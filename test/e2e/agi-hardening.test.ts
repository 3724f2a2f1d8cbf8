import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { envText } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { loadTranscript } from "../helpers/transcript.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

const transcript = loadTranscript(join(IVR_FIXTURES, "stdin-queue-after-timeout.txt"));

function installation() {
  const dir = mkdtempSync(join(tmpdir(), "ivr-agi-hard-"));
  const config = join(dir, "config.yaml");
  copyFileSync(IVR_CONFIG, config);
  return { db: join(dir, "ivr.sqlite"), env: { IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: join(dir, "ivr.sqlite") } };
}

/**
 * `ivr` per call with stderr a pipe that the test reads only after the process has exited
 * (as a supervisor that reads late, or not at all, would), and stdin left open.
 */
function spawnWithUnreadStderr(env: Record<string, string>) {
  const proc = Bun.spawn([binary], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AST_AGI_DIR: "/var/lib/asterisk/agi-bin", ...env },
  });
  const stdout = LineReader.fromStream(proc.stdout);
  return { proc, stdout, stderrAfterExit: async () => (await proc.exited, await new Response(proc.stderr).text()) };
}

describe("per call, bad input from the peer never keeps the process alive or floods the log", () => {
  test("a line too long after the environment, stdin left open: the process exits at once, the line quoted and cut", async () => {
    const { proc, stdout, stderrAfterExit } = spawnWithUnreadStderr(installation().env);
    proc.stdin.write(envText(transcript.env));
    await proc.stdin.flush();
    expect(await stdout.next()).toBe('VERBOSE "Incoming call - DID: 0212345678" 1');
    proc.stdin.write(`200 result=1 (${"a".repeat(70_000)})\n`);
    await proc.stdin.flush();
    // stdin stays open: only the process itself can end this call.
    expect(await proc.exited).toBe(0);
    expect(await stdout.closed()).toEqual([]);
    const log = await stderrAfterExit();
    expect(log.match(/line longer than 65536 characters/g)).toHaveLength(1);
    expect(log).toContain("... (70015 bytes)");
    expect(Math.max(...log.split("\n").map((line) => line.length))).toBeLessThan(400);
    proc.stdin.end();
  });

  test("a 64 KB garbage environment line: FAILURE for Asterisk, one short log line, exit 1", async () => {
    const { proc, stdout, stderrAfterExit } = spawnWithUnreadStderr(installation().env);
    proc.stdin.write(`${"garbage ".repeat(8000)}\n`);
    await proc.stdin.flush();
    expect(await proc.exited).toBe(1);
    expect(await stdout.closed()).toEqual(["FAILURE"]);
    const log = (await stderrAfterExit()).trim().split("\n");
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/WARN no AGI environment: not an AGI environment line: "garbage garbage .*"\.\.\. \(64000 bytes\)$/);
    proc.stdin.end();
  });

  test("20,000 stray replies: at most three logged one by one", async () => {
    const { proc, stderrAfterExit } = spawnWithUnreadStderr(installation().env);
    proc.stdin.write(`${envText(transcript.env)}${"200 result=0\n".repeat(20_000)}`);
    await proc.stdin.flush();
    proc.stdin.end();
    expect(await proc.exited).toBe(0);
    const log = await stderrAfterExit();
    expect(log.match(/reply with no command in flight: "200 result=0"/g)?.length ?? 0).toBeLessThanOrEqual(3);
    expect(log.split("\n").length).toBeLessThan(40);
  });

  test("an LF in the caller name: the call is served and recorded with the whole name", async () => {
    const { db, env } = installation();
    const agi = spawnAgi(binary, [], env);
    const withName = { ...transcript, env: transcript.env.flatMap((line) => (line.startsWith("agi_calleridname: ") ? ["agi_calleridname: Anna", "Smith"] : [line])) };
    await playAsterisk(withName, agi);
    expect(await agi.proc.exited).toBe(0);
    expect(await agi.stderr()).toContain("Call finished: answered, queue 10001");
    const history = new Database(db, { readonly: true });
    try {
      expect(history.query("SELECT caller_name, status FROM calls").all()).toEqual([{ caller_name: "Anna\nSmith", status: "answered" }]);
    } finally {
      history.close();
    }
  });
});
