import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BackgroundWriter } from "../../src/history/background-writer.ts";
import { openHistory, SERVER_BUSY_TIMEOUT_MS } from "../../src/history/db.ts";
import { listCalls } from "../../src/history/queries.ts";
import type { NewCallRow } from "../../src/history/schema.ts";
import { spoolDirFor, spooledCount } from "../../src/history/spool.ts";
import { WriteQueue } from "../../src/history/write-queue.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { callRow } from "../helpers/history.ts";
import { waitFor } from "../helpers/wait.ts";

/** ivr serve's arrangement: the history open on this thread, the write queue's batches on the writer thread. */
function serverQueue(busyTimeoutMs = 2000) {
  const path = join(mkdtempSync(join(tmpdir(), "ivr-writer-")), "ivr.sqlite");
  const history = openHistory(path, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
  const { log, text } = captureLog();
  const stops: string[] = [];
  const background = new BackgroundWriter(path, busyTimeoutMs, (reason) => stops.push(reason));
  const written: NewCallRow[] = [];
  const queue = new WriteQueue(history, log, { flushMs: 5, spoolDir: spoolDirFor(path), background, onCallsWritten: (rows) => written.push(...rows) });
  return { path, history, queue, background, written, stops, text };
}

test("the writer thread writes the queued rows: committed, readable here, callbacks after the commit", async () => {
  const { history, queue, written, stops } = serverQueue();
  for (let i = 1; i <= 50; i++) queue.call(callRow({ uniqueid: `bg.${i}` }));
  queue.decision({ at: 1, via: "http", enterprise: "0367", mode: "off", outcome: "off", latencyMs: 0, cached: false });
  await waitFor(() => written.length === 50, "the rows to be written");
  expect(listCalls(history, { limit: 100 })).toHaveLength(50);
  expect(history.sqlite.query("select count(*) as n from smart_decisions").get()).toEqual({ n: 1 });
  expect(queue.pending).toBe(0);
  await queue.close();
  expect(stops).toEqual([]);
});

test("another process holding the lock: the thread waits, not the event loop; nothing is lost", async () => {
  const { path, history, queue, written } = serverQueue(60_000);
  const perCallProcess = new Database(path);
  perCallProcess.run("BEGIN IMMEDIATE");
  queue.call(callRow({ uniqueid: "locked.1" }));
  await waitFor(() => queue.pending === 1 && written.length === 0, "the batch to reach the thread");
  // This thread goes on: it can read, and queue more.
  await Bun.sleep(50);
  expect(listCalls(history)).toEqual([]);
  queue.call(callRow({ uniqueid: "locked.2" }));
  expect(queue.pending).toBe(2);
  perCallProcess.run("COMMIT");
  perCallProcess.close();
  await waitFor(() => written.length === 2, "both rows once the lock is gone");
  expect(listCalls(history).map((row) => row.uniqueid)).toEqual(["locked.2", "locked.1"]);
  await queue.close();
});

test("a writer thread that stops is said once; later rows are written on this thread, none lost", async () => {
  const { path, history, queue, background, stops, text } = serverQueue();
  await (background as unknown as { worker: Worker }).worker.terminate();
  await waitFor(() => !background.alive, "the thread to be noticed gone");
  expect(stops).toEqual(["the history writer thread stopped"]);
  queue.call(callRow({ uniqueid: "after.1" }));
  await waitFor(() => listCalls(history).length === 1, "the row written on this thread");
  expect(spooledCount(spoolDirFor(path))).toBe(0);
  expect(text()).not.toContain("lost");
  await queue.close();
});

test("close waits for the batch with the thread, then writes the rest", async () => {
  const { history, queue } = serverQueue();
  for (let i = 1; i <= 20; i++) queue.call(callRow({ uniqueid: `close.${i}` }));
  await Bun.sleep(6); // the first batch leaves
  for (let i = 21; i <= 40; i++) queue.call(callRow({ uniqueid: `close.${i}` }));
  await queue.close();
  expect(queue.pending).toBe(0);
  expect(listCalls(history, { limit: 100 })).toHaveLength(40);
});
