import { Database } from "bun:sqlite";
import { beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory } from "../../src/history/db.ts";
import { importSpool, spoolDirFor, spooledCount } from "../../src/history/spool.ts";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { loadTranscript, type Transcript } from "../helpers/transcript.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

/** The recorded queue call with its own uniqueid. */
function callNumbered(n: number): Transcript {
  const base = loadTranscript(join(IVR_FIXTURES, "stdin-queue-after-timeout.txt"));
  return { ...base, env: base.env.map((line) => (line.startsWith("agi_uniqueid: ") ? `agi_uniqueid: 1795300000.${n}` : line)) };
}

test("50 concurrent ivr processes writing one new database file lose nothing: each call is written or spooled, then stored once", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ivr-concurrent-"));
  const env = { IVR_CONFIG, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: join(dir, "ivr.sqlite") };
  const results = await Promise.all(
    Array.from({ length: 50 }, async (_, n) => {
      const agi = spawnAgi(binary, [], env);
      await playAsterisk(callNumbered(n), agi, 30_000);
      return { code: await agi.proc.exited, stderr: await agi.stderr() };
    }),
  );
  // A process waits at most 100 ms for the lock (Asterisk waits for it to exit): under this
  // burst some records go to the spool instead, for the next writer to import.
  expect(results.filter((r) => r.code !== 0 || !/recorded as call|the call is spooled to/.test(r.stderr))).toEqual([]);
  const importer = openHistory(env.IVR_DB);
  importSpool(importer, spoolDirFor(env.IVR_DB), { maxFiles: 100 });
  importer.close();
  expect(spooledCount(spoolDirFor(env.IVR_DB))).toBe(0);
  const db = new Database(env.IVR_DB, { readonly: true });
  const rows = db.query("SELECT uniqueid, status FROM calls ORDER BY uniqueid").all() as Array<{ uniqueid: string; status: string }>;
  expect(rows).toHaveLength(50);
  expect(new Set(rows.map((r) => r.uniqueid)).size).toBe(50);
  expect(rows.every((r) => r.status === "answered")).toBe(true);
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  db.close();
}, 120_000);

test("kill -9 in the middle of writes leaves a database that passes integrity_check, with every commit kept", async () => {
  const path = join(mkdtempSync(join(tmpdir(), "ivr-kill9-")), "ivr.sqlite");
  const reported: number[] = [];
  for (let round = 0; round < 5; round++) {
    const writer = Bun.spawn([process.execPath, join(import.meta.dir, "..", "helpers", "history-writer.ts"), path, `r${round}`], { stdout: "pipe", stderr: "pipe" });
    const lines = LineReader.fromStream(writer.stdout);
    let committed = 0;
    // Let it write for a while (at least a few hundred rows), then kill it mid-stride.
    while (committed < 300 + round * 100) {
      const line = await lines.next(20_000, "the writer's progress");
      if (line === undefined) throw new Error(`the writer died: ${await new Response(writer.stderr).text()}`);
      committed = Number(line.split(" ")[1]);
    }
    writer.kill("SIGKILL");
    expect(await writer.exited).not.toBe(0);
    reported.push(committed);
  }
  const db = new Database(path);
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  for (const [round, committed] of reported.entries()) {
    const { n } = db.query("SELECT count(*) AS n FROM calls WHERE uniqueid LIKE ?").get(`r${round}.%`) as { n: number };
    expect(n).toBeGreaterThanOrEqual(committed);
  }
  db.close();
}, 120_000);
