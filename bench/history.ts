/**
 * The history side of the benchmark: a database with a million generated calls (made once
 * and kept in .bench/), and the insert rate of the real code, one row per transaction as
 * per-call processes write and batched as ivr serve writes.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { openHistory } from "../src/history/db.ts";
import { insertCall } from "../src/history/record.ts";
import { calls, type NewCallRow } from "../src/history/schema.ts";
import { WriteQueue } from "../src/history/write-queue.ts";
import { createLogger } from "../src/log.ts";

export const CUSTOMERS = 200_000;
export const EXTENSIONS = Array.from({ length: 50 }, (_, i) => String(150 + i));
export const customer = (n: number) => `+375290${String(n).padStart(6, "0")}`;

function generatedCall(n: number, now: number): NewCallRow {
  const answered = n % 5 !== 0;
  return {
    uniqueid: `1790000000.${n}`,
    source: "ivr",
    direction: "inbound",
    startedAt: now - (1_000_000 - n) * 30_000,
    endedAt: now - (1_000_000 - n) * 30_000 + 90_000,
    externalNumber: customer(n % CUSTOMERS),
    externalNumberRaw: customer(n % CUSTOMERS),
    callerName: n % 3 === 0 ? `Customer ${n % CUSTOMERS}` : null,
    did: n % 2 ? "0212345678" : "0298765432",
    digits: "1",
    routeKind: "queue",
    destination: "10001",
    status: answered ? "answered" : "abandoned",
    answeredBy: answered ? `PJSIP/${EXTENSIONS[(n * 7) % EXTENSIONS.length]}` : null,
    answeredExtension: answered ? EXTENSIONS[(n * 7) % EXTENSIONS.length]! : null,
    waitSeconds: n % 40,
    talkSeconds: answered ? 60 + (n % 300) : null,
  };
}

/** A database with `count` calls, generated once per count and reused. */
export function millionCallDb(dir: string, count = 1_000_000): string {
  const path = join(dir, `history-${count}.sqlite`);
  if (existsSync(path)) return path;
  mkdirSync(dirname(path), { recursive: true });
  const history = openHistory(`${path}.tmp`);
  const now = Date.now();
  const batch = 5000;
  for (let start = 0; start < count; start += batch) {
    const rows = Array.from({ length: Math.min(batch, count - start) }, (_, i) => generatedCall(start + i, now));
    history.sqlite.transaction(() => {
      for (let i = 0; i < rows.length; i += 500) history.db.insert(calls).values(rows.slice(i, i + 500)).run();
    })();
  }
  history.sqlite.run("PRAGMA wal_checkpoint(TRUNCATE)");
  history.close();
  Bun.spawnSync(["mv", `${path}.tmp`, path]);
  rmSync(`${path}.tmp-wal`, { force: true });
  rmSync(`${path}.tmp-shm`, { force: true });
  return path;
}

/** Rows per second: one insertCall per transaction (per-call), and through the server's write queue. */
export function insertRates(dir: string, rows = 5000): { perCall: number; batched: number } {
  const path = join(dir, "insert-rate.sqlite");
  rmSync(path, { force: true });
  rmSync(`${path}-wal`, { force: true });
  const history = openHistory(path);
  const now = Date.now();
  let started = performance.now();
  for (let n = 0; n < rows; n++) insertCall(history, generatedCall(n, now));
  const perCall = rows / ((performance.now() - started) / 1000);
  const queue = new WriteQueue(history, createLogger({ level: "error" }));
  started = performance.now();
  for (let n = 0; n < rows * 10; n++) {
    queue.call(generatedCall(rows + n, now));
    if (n % 500 === 499) queue.flush(); // what the 25 ms timer does under load
  }
  queue.flush();
  const batched = (rows * 10) / ((performance.now() - started) / 1000);
  history.close();
  return { perCall, batched };
}
