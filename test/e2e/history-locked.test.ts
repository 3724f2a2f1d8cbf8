import { Database } from "bun:sqlite";
import { beforeAll, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory } from "../../src/history/db.ts";
import { insertCall } from "../../src/history/record.ts";
import { spoolDirFor, spooledCount } from "../../src/history/spool.ts";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { callRow } from "../helpers/history.ts";
import { ENV, SMART_CONFIG } from "../helpers/http-app.ts";
import { IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { loadTranscript, type Transcript } from "../helpers/transcript.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

/** A recorded call with its own uniqueid. */
function numbered(transcript: Transcript, uniqueid: string): Transcript {
  return { ...transcript, env: transcript.env.map((line) => (line.startsWith("agi_uniqueid: ") ? `agi_uniqueid: ${uniqueid}` : line)) };
}

/** Another process takes the write lock and holds it (up to 20 s) until release(). */
async function lockHistory(path: string) {
  const locker = Bun.spawn([process.execPath, join(import.meta.dir, "..", "helpers", "db-locker.ts"), path, "20000"], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
  const out = LineReader.fromStream(locker.stdout);
  expect(await out.next(10_000, "the locker's lock")).toBe("locked");
  return {
    holding: () => locker.exitCode === null,
    async release() {
      locker.stdin.write("release\n");
      await locker.stdin.flush();
      expect(await out.next(10_000, "the release")).toBe("released");
      await locker.exited;
    },
  };
}

test("history locked by another process: each per-call process exits while it is still locked, and every record arrives once afterwards", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ivr-locked-"));
  const db = join(dir, "ivr.sqlite");
  const config = join(dir, "ivr.yaml");
  copyFileSync(SMART_CONFIG, config);
  const env = { ...ENV, IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: db };
  // A returning caller, for a Smart Redirect call whose decision is made while the lock is held.
  const setup = openHistory(db);
  insertCall(setup, callRow({ externalNumber: "+375291234567", status: "answered", answeredExtension: "150", callerName: "Alexei Client" }));
  setup.close();

  const lock = await lockHistory(db);
  const menuCall = loadTranscript(join(IVR_FIXTURES, "stdin-queue-after-timeout.txt"));
  const smartCall = loadTranscript(join(import.meta.dir, "..", "fixtures", "smart-agi", "stdin-smart-known.txt"));
  const calls = [...[1, 2, 3, 4].map((n) => numbered(menuCall, `1795400000.${n}`)), numbered(smartCall, "1795400000.5")];
  const results = await Promise.all(
    calls.map(async (transcript) => {
      const agi = spawnAgi(binary, [], env);
      await playAsterisk(transcript, agi, 15_000);
      const code = await agi.proc.exited;
      return { code, lockHeldAtExit: lock.holding(), stderr: await agi.stderr() };
    }),
  );
  // Asterisk waits for the process to exit (res_agi waitpid): none may wait for the lock.
  expect(results.map((r) => [r.code, r.lockHeldAtExit])).toEqual(calls.map(() => [0, true]));
  for (const r of results) expect(r.stderr).toContain("the call is spooled to");
  expect(spooledCount(spoolDirFor(db))).toBe(5);
  await lock.release();

  // The next call writes its own record and imports the spool.
  const next = spawnAgi(binary, [], env);
  await playAsterisk(numbered(menuCall, "1795400000.6"), next);
  expect(await next.proc.exited).toBe(0);
  expect(await next.stderr()).toContain("imported 5 spooled calls");

  const check = new Database(db, { readonly: true });
  const rows = check.query("SELECT uniqueid, count(*) AS n FROM calls WHERE uniqueid LIKE '1795400000.%' GROUP BY uniqueid ORDER BY uniqueid").all();
  expect(rows).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ uniqueid: `1795400000.${n}`, n: 1 })));
  // The Smart decision made during the locked call was kept with its call.
  expect(check.query("SELECT uniqueid, outcome, dial_plan FROM smart_decisions").all()).toEqual([{ uniqueid: "1795400000.5", outcome: "routed", dial_plan: "mngr31_0298765432_1" }]);
  check.close();
  expect(spooledCount(spoolDirFor(db))).toBe(0);
}, 60_000);
