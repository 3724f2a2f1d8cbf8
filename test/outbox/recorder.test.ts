import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { openHistory } from "../../src/history/db.ts";
import { integrationCalls, outboxCursors, outboxDeliveries, outboxEvents, outboxSequences } from "../../src/history/schema.ts";
import { OutboxRecorder } from "../../src/outbox/recorder.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { event, outboxOn, RecordingTarget } from "../helpers/outbox.ts";

describe("the outbox's tables", () => {
  test("are exactly what schema.ts describes", () => {
    const { history } = outboxOn([]);
    for (const table of [outboxEvents, outboxDeliveries, outboxSequences, outboxCursors, integrationCalls]) {
      const config = getTableConfig(table);
      const columns = history.sqlite.query(`PRAGMA table_info(${config.name})`).all() as Array<{ name: string; type: string; notnull: number; pk: number }>;
      const compositeKey = new Set(config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name)));
      expect(columns.map((c) => [c.name, c.type, c.pk > 0, c.pk > 0 || c.notnull === 1])).toEqual(
        config.columns.map((c) => [c.name, c.getSQLType().toUpperCase(), c.primary || compositeKey.has(c.name), c.notNull || c.primary || compositeKey.has(c.name)]),
      );
      const indexes = (history.sqlite.query(`PRAGMA index_list(${config.name})`).all() as Array<{ name: string; origin: string }>)
        .filter((i) => i.origin === "c")
        .map((i) => i.name)
        .sort();
      expect(indexes).toEqual(config.indexes.map((i) => i.config.name).sort());
    }
  });
});

describe("the recorder", () => {
  test("events wait in memory, in order, and are stored together off the caller's path", () => {
    const target = new RecordingTarget("webhook:x");
    const { recorder, history } = outboxOn([target]);
    recorder.publish(event("A", "call.started"));
    recorder.publish(event("A", "call.ringing"));
    expect(history.sqlite.query("SELECT count(*) AS n FROM outbox_events").get()).toEqual({ n: 0 });
    expect(recorder.depth).toBe(2);
    expect(recorder.flush()).toBe(2);
    expect(history.sqlite.query("SELECT type, sequence FROM outbox_events ORDER BY id").all()).toEqual([
      { type: "call.started", sequence: 1 },
      { type: "call.ringing", sequence: 2 },
    ]);
  });

  test("a call's end is written with the call, after the call's events still waiting; a rolled-back write is done again", () => {
    const target = new RecordingTarget("webhook:x");
    const { recorder, history } = outboxOn([target]);
    recorder.publish(event("A", "call.started"));
    recorder.publish(event("B", "call.started"));
    recorder.publish(event("A", "call.answered"));
    recorder.reserve("A");
    // The timer's flush stores B's event, not A's: they go with A's end.
    expect(recorder.flush()).toBe(1);
    const end = event("A", "call.ended");
    // The call's transaction is rolled back (the history was busy): nothing of A is stored...
    expect(() =>
      history.sqlite.transaction(() => {
        recorder.writeWithCall("A", [end]);
        throw new Error("database is locked");
      })(),
    ).toThrow("database is locked");
    expect(history.sqlite.query("SELECT count(*) AS n FROM outbox_events WHERE ordering_key = 'A'").get()).toEqual({ n: 0 });
    // ...and the retry stores all of it, in order.
    const stored = history.sqlite.transaction(() => recorder.writeWithCall("A", [end]))();
    recorder.committed("A", stored);
    expect(history.sqlite.query("SELECT ordering_key AS key, type, sequence FROM outbox_events ORDER BY id").all()).toEqual([
      { key: "B", type: "call.started", sequence: 1 },
      { key: "A", type: "call.started", sequence: 1 },
      { key: "A", type: "call.answered", sequence: 2 },
      { key: "A", type: "call.ended", sequence: 3 },
    ]);
    expect(recorder.depth).toBe(0);
  });

  test("while another process holds the database, events are kept and stored once it lets go", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-outbox-")), "ivr.sqlite");
    const history = openHistory(path, { busyTimeoutMs: 20 });
    const target = new RecordingTarget("webhook:x");
    const { recorder } = outboxOn([target], { history });
    const locker = Bun.spawn([process.execPath, join(import.meta.dir, "..", "helpers", "db-locker.ts"), path, "20000"], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const out = LineReader.fromStream(locker.stdout);
    expect(await out.next(10_000, "the lock")).toBe("locked");
    recorder.publish(event("A", "call.started"));
    expect(recorder.flush()).toBe(0);
    expect(recorder.depth).toBe(1);
    locker.stdin.write("go\n");
    await locker.stdin.flush();
    expect(await out.next(10_000, "the release")).toBe("released");
    await locker.exited;
    expect(recorder.flush()).toBe(1);
    expect(history.sqlite.query("SELECT type FROM outbox_events").all()).toEqual([{ type: "call.started" }]);
  });

  test("bounded: past the limit the oldest waiting events are dropped and counted", () => {
    const { store, history } = outboxOn([]);
    const { log, text } = captureLog();
    const recorder = new OutboxRecorder({ store, routing: () => () => ["t"], log, maxPending: 3 });
    for (let i = 0; i < 5; i++) recorder.publish(event(`K${i}`));
    expect(recorder.dropped).toBe(2);
    expect(text().match(/the oldest were dropped, 1 so far/g)).toHaveLength(1); // said once, not at every drop
    recorder.flush();
    expect(history.sqlite.query("SELECT ordering_key AS key FROM outbox_events ORDER BY id").all()).toEqual([{ key: "K2" }, { key: "K3" }, { key: "K4" }]);
  });
});
