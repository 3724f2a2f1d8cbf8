import { expect, test } from "bun:test";
import { readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openHistory } from "../../src/history/db.ts";
import { listCalls } from "../../src/history/queries.ts";
import { type CallRecord, insertRecord, recordKey } from "../../src/history/record.ts";
import { importSpool, spoolDirFor, spooledCount, spoolRecord } from "../../src/history/spool.ts";
import { callRow, tempHistory } from "../helpers/history.ts";

function record(uniqueid: string): CallRecord {
  const call = callRow({ uniqueid });
  return { call: { ...call, recordKey: recordKey(uniqueid, call.startedAt) }, decisions: [] };
}

function spooled() {
  const history = tempHistory();
  const dir = spoolDirFor(history.path);
  return { history, dir };
}

test("a spooled record is imported once, with its decisions, and its file removed", () => {
  const { history, dir } = spooled();
  const withDecision = record("s.1");
  withDecision.decisions.push({ at: 1, via: "agi", enterprise: "0367", uniqueid: "s.1", mode: "routing+name", outcome: "no_match", latencyMs: 1, cached: false });
  const file = spoolRecord(dir, withDecision);
  expect(readdirSync(dir)).toEqual([file.slice(dir.length + 1)]);
  expect(importSpool(history, dir, { maxFiles: 10 })).toEqual({ imported: 1, duplicates: 0, bad: [] });
  expect(listCalls(history).map((row) => row.uniqueid)).toEqual(["s.1"]);
  expect(history.sqlite.query("SELECT uniqueid FROM smart_decisions").all()).toEqual([{ uniqueid: "s.1" }]);
  expect(readdirSync(dir)).toEqual([]);
  expect(importSpool(history, dir, { maxFiles: 10 }).imported).toBe(0);
});

test("a crash between the import's commit and the file's removal: the next import stores nothing twice", () => {
  const { history, dir } = spooled();
  const crashed = record("s.2");
  const file = spoolRecord(dir, crashed);
  // The state such a crash leaves: the record committed, the file still claimed by the dead importer.
  insertRecord(history, crashed);
  renameSync(file, `${file}.claimed-${Date.now() - 120_000}-99999`);
  expect(importSpool(history, dir, { maxFiles: 10 })).toEqual({ imported: 0, duplicates: 1, bad: [] });
  expect(listCalls(history)).toHaveLength(1);
  expect(spooledCount(dir)).toBe(0);
});

test("a claim still fresh belongs to a live importer and is left alone; a stale one is taken over", () => {
  const { history, dir } = spooled();
  const file = spoolRecord(dir, record("s.3"));
  const now = Date.now();
  renameSync(file, `${file}.claimed-${now}-99999`);
  expect(importSpool(history, dir, { maxFiles: 10, now: now + 1000 }).imported).toBe(0);
  expect(importSpool(history, dir, { maxFiles: 10, now: now + 61_000 }).imported).toBe(1);
});

test("a file that is not a record is set aside as .bad; the others are imported", () => {
  const { history, dir } = spooled();
  spoolRecord(dir, record("s.4"));
  writeFileSync(join(dir, "0-garbage.json"), "{ not json");
  writeFileSync(join(dir, "1-incomplete.json"), JSON.stringify({ call: { uniqueid: "x", startedAt: 1, status: "answered" } }));
  const result = importSpool(history, dir, { maxFiles: 10 });
  expect(result.imported).toBe(1);
  expect(result.bad.sort()).toEqual(["0-garbage.json", "1-incomplete.json"]);
  expect(readdirSync(dir).sort()).toEqual(["0-garbage.json.bad", "1-incomplete.json.bad"]);
});

test("a busy database: the import throws, and the claimed files are put back for the next try", () => {
  const { history, dir } = spooled();
  spoolRecord(dir, record("s.5"));
  const impatient = openHistory(history.path, { busyTimeoutMs: 10 });
  history.sqlite.run("BEGIN IMMEDIATE");
  expect(() => importSpool(impatient, dir, { maxFiles: 10 })).toThrow(/locked/);
  expect(readdirSync(dir).filter((name) => name.endsWith(".json"))).toHaveLength(1);
  expect(spooledCount(dir)).toBe(1);
  history.sqlite.run("COMMIT");
  expect(importSpool(impatient, dir, { maxFiles: 10 }).imported).toBe(1);
});

test("at most maxFiles per import, oldest first", () => {
  const { history, dir } = spooled();
  for (let n = 1; n <= 5; n++) spoolRecord(dir, record(`s.6.${n}`));
  expect(importSpool(history, dir, { maxFiles: 2 }).imported).toBe(2);
  expect(spooledCount(dir)).toBe(3);
});

test("four processes importing one spool at once: every record stored exactly once", async () => {
  const { history, dir } = spooled();
  for (let n = 0; n < 200; n++) spoolRecord(dir, record(`race.${n}`));
  history.close();
  const importers = Array.from({ length: 4 }, () =>
    Bun.spawn([process.execPath, join(import.meta.dir, "..", "helpers", "spool-importer.ts"), history.path, dir, "7"], { stdout: "pipe", stderr: "pipe" }),
  );
  const outputs = await Promise.all(importers.map(async (p) => ({ code: await p.exited, out: await new Response(p.stdout).text(), err: await new Response(p.stderr).text() })));
  expect(outputs.map((o) => [o.code, o.err])).toEqual(importers.map(() => [0, ""]));
  expect(outputs.reduce((sum, o) => sum + Number(o.out.trim().split(" ")[1]), 0)).toBe(200);
  const check = openHistory(history.path);
  expect(check.sqlite.query("SELECT count(*) AS rows, count(DISTINCT uniqueid) AS distinct_ids FROM calls").get()).toEqual({ rows: 200, distinct_ids: 200 });
  check.close();
  expect(spooledCount(dir)).toBe(0);
}, 60_000);
