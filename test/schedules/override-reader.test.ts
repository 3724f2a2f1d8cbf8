import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LineReader } from "../helpers/line-reader.ts";
import { historyOverrides } from "../../src/schedules/override-reader.ts";
import { historyOverrideStore } from "../../src/schedules/store.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { tempHistory } from "../helpers/history.ts";

const dir = () => mkdtempSync(join(tmpdir(), "ivr-overrides-"));

describe("a per-call process reads the overrides from the history, read-only, never failing the call", () => {
  test("the row ivr serve wrote; read once per process (a second schedule costs no second open)", () => {
    const history = tempHistory();
    historyOverrideStore(history).put("office", { state: "closed", until: "next_change", setAt: 1_000 });
    const { log, text } = captureLog();
    const read = historyOverrides(history.path, log);
    expect(read("office")).toEqual({ state: "closed", until: "next_change", setAt: 1_000 });
    historyOverrideStore(history).remove("office");
    expect(read("office")).toEqual({ state: "closed", until: "next_change", setAt: 1_000 });
    expect(read("night")).toBeUndefined();
    expect(text()).toBe("");
  });

  test("no history yet: no override, nothing logged, no file created", () => {
    const path = join(dir(), "ivr.sqlite");
    const { log, text } = captureLog();
    expect(historyOverrides(path, log)("office")).toBeUndefined();
    expect(text()).toBe("");
    expect(existsSync(path)).toBe(false);
  });

  test("a history from before overrides existed (no table): no override, nothing logged", () => {
    const path = join(dir(), "ivr.sqlite");
    const old = new Database(path);
    old.run("CREATE TABLE calls (id INTEGER PRIMARY KEY)");
    old.close();
    const { log, text } = captureLog();
    expect(historyOverrides(path, log)("office")).toBeUndefined();
    expect(text()).toBe("");
  });

  test("a file that is not a database: no override, a warning", () => {
    const path = join(dir(), "ivr.sqlite");
    writeFileSync(path, "not a database at all, but long enough to be read as one".repeat(100));
    const { log, text } = captureLog();
    expect(historyOverrides(path, log)("office")).toBeUndefined();
    expect(text()).toContain("schedules: overrides not read from");
  });

  test("another process holding the write lock: the override is still read (WAL readers do not wait)", async () => {
    const history = tempHistory();
    historyOverrideStore(history).put("office", { state: "open", until: "cleared", setAt: 1_000 });
    const locker = Bun.spawn([process.execPath, join(import.meta.dir, "..", "helpers", "db-locker.ts"), history.path, "20000"], { stdin: "pipe", stdout: "pipe", stderr: "inherit" });
    const lines = LineReader.fromStream(locker.stdout);
    try {
      expect(await lines.next(10_000, "the lock")).toBe("locked");
      const { log } = captureLog();
      expect(historyOverrides(history.path, log)("office")).toEqual({ state: "open", until: "cleared", setAt: 1_000 });
    } finally {
      locker.stdin.write("go\n");
      await locker.stdin.flush();
      await locker.exited;
    }
  });
});
