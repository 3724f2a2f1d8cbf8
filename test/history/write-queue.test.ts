import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory, SERVER_BUSY_TIMEOUT_MS } from "../../src/history/db.ts";
import { listCalls } from "../../src/history/queries.ts";
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
  const queue = new WriteQueue(history, log, 60_000);
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

test("a failure that retrying cannot mend is reported with what was lost", () => {
  const { history } = serverHistory();
  const { log, text } = captureLog();
  const queue = new WriteQueue(history, log, 60_000);
  queue.call(callRow());
  history.close();
  expect(queue.flush()).toBe(0);
  expect(text()).toContain("history write failed, 1 calls and 0 decisions lost");
});

test("the queue is bounded: past its size the oldest rows go, loudly", () => {
  const { history } = serverHistory();
  const { log, text } = captureLog();
  const queue = new WriteQueue(history, log, 60_000, 3);
  for (let i = 1; i <= 5; i++) queue.call(callRow({ uniqueid: `q.${i}` }));
  expect(queue.pending).toBe(3);
  expect(text()).toContain("history queue full: dropped the 1 oldest rows");
  queue.flush();
  expect(listCalls(history).map((row) => row.uniqueid)).toEqual(["q.5", "q.4", "q.3"]);
});
