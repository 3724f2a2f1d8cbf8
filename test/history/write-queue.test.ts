import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory, SERVER_BUSY_TIMEOUT_MS } from "../../src/history/db.ts";
import { listCalls } from "../../src/history/queries.ts";
import { importSpool, spoolDirFor, spooledCount } from "../../src/history/spool.ts";
import { WriteQueue } from "../../src/history/write-queue.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { callRow } from "../helpers/history.ts";

function serverHistory() {
  const path = join(mkdtempSync(join(tmpdir(), "ivr-queue-")), "ivr.sqlite");
  return { path, history: openHistory(path, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS }) };
}

test("another process holding the write lock: rows are kept, not lost, and written once it lets go", () => {
  const { path, history } = serverHistory();
  const { log, text } = captureLog();
  const queue = new WriteQueue(history, log, { flushMs: 60_000 });
  const perCallProcess = new Database(path);
  perCallProcess.run("BEGIN IMMEDIATE");
  queue.call(callRow({ uniqueid: "kept.1" }));
  expect(queue.flush()).toBe(0);
  expect(queue.pending).toBe(1);
  expect(text()).toContain("history busy (another process is writing); keeping rows to retry");
  perCallProcess.run("COMMIT");
  expect(queue.flush()).toBe(1);
  expect(listCalls(history).map((row) => row.uniqueid)).toEqual(["kept.1"]);
  expect(text()).toContain("history writable again");
  perCallProcess.close();
});

test("a failure that retrying cannot mend: the calls go to the spool, the decisions are dropped, all counted and said", () => {
  const { path, history } = serverHistory();
  const { log, text } = captureLog();
  const spoolDir = spoolDirFor(path);
  const queue = new WriteQueue(history, log, { flushMs: 60_000, spoolDir });
  queue.call(callRow({ uniqueid: "spooled.1" }));
  queue.decision({ at: 1, via: "http", enterprise: "0367", mode: "off", outcome: "off", latencyMs: 0, cached: false });
  history.close();
  expect(queue.flush()).toBe(0);
  expect(text()).toContain(`history write failed: Cannot use a closed database: 1 calls spooled to ${spoolDir} for import; 1 decision rows dropped`);
  expect(queue.health.current()).toMatchObject({ state: "failing", failedRecords: 1, spooledRecords: 1, lostRecords: 0, lostDecisions: 1 });
  expect(queue.health.current().lastError?.message).toBe("Cannot use a closed database");

  const reopened = openHistory(path);
  expect(importSpool(reopened, spoolDir, { maxFiles: 10 }).imported).toBe(1);
  expect(listCalls(reopened).map((row) => row.uniqueid)).toEqual(["spooled.1"]);
});

test("without a spool, such calls are lost, and said so", () => {
  const { history } = serverHistory();
  const { log, text } = captureLog();
  const queue = new WriteQueue(history, log, { flushMs: 60_000 });
  queue.call(callRow());
  history.close();
  queue.flush();
  expect(text()).toContain("1 calls lost");
  expect(queue.health.current()).toMatchObject({ failedRecords: 1, lostRecords: 1 });
});

test("the queue is bounded: past its size the oldest calls go to the spool, loudly", () => {
  const { path, history } = serverHistory();
  const { log, text } = captureLog();
  const queue = new WriteQueue(history, log, { flushMs: 60_000, maxPending: 3, spoolDir: spoolDirFor(path) });
  for (let i = 1; i <= 5; i++) queue.call(callRow({ uniqueid: `q.${i}` }));
  expect(queue.pending).toBe(3);
  expect(text()).toContain("history queue full (3 rows waiting for a busy database): 1 calls spooled");
  queue.flush();
  expect(listCalls(history).map((row) => row.uniqueid)).toEqual(["q.5", "q.4", "q.3"]);
  importSpool(history, spoolDirFor(path), { maxFiles: 10 });
  expect(listCalls(history).map((row) => row.uniqueid).sort()).toEqual(["q.1", "q.2", "q.3", "q.4", "q.5"]);
});

test("shut down while the database is busy: what is queued goes to the spool, not lost", () => {
  const { path, history } = serverHistory();
  const { log } = captureLog();
  const queue = new WriteQueue(history, log, { flushMs: 60_000, spoolDir: spoolDirFor(path) });
  const perCallProcess = new Database(path);
  perCallProcess.run("BEGIN IMMEDIATE");
  queue.call(callRow({ uniqueid: "at-shutdown.1" }));
  queue.close();
  expect(queue.pending).toBe(0);
  expect(spooledCount(spoolDirFor(path))).toBe(1);
  perCallProcess.run("COMMIT");
  perCallProcess.close();
});
