import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/errors.ts";
import { ConfigStore } from "../../src/config/store.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { IVR_CONFIG } from "../helpers/ivr-replay.ts";

function storeOnCopy() {
  const path = join(mkdtempSync(join(tmpdir(), "ivr-store-")), "ivr.yaml");
  copyFileSync(IVR_CONFIG, path);
  const captured = captureLog();
  return { path, store: ConfigStore.open(path, captured.log), ...captured };
}

describe("ConfigStore", () => {
  test("an invalid file at start is refused with its positions", () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-store-")), "ivr.yaml");
    writeFileSync(path, "default:\n  max_attempts: x\n");
    expect(() => ConfigStore.open(path, captureLog().log)).toThrow(ConfigError);
    expect(() => ConfigStore.open(path, captureLog().log)).toThrow(/ivr\.yaml:2:17: default\.max_attempts/);
  });

  test("a change is noticed by its file identity, without any watch event (the poll's path)", () => {
    const { path, store } = storeOnCopy();
    expect(store.checkForChange()).toBe(false);
    writeFileSync(path, readFileSync(path, "utf8").replace('"2": "10002"', '"2": "20002"'));
    expect(store.checkForChange()).toBe(true);
    expect(store.current).toMatchObject({ generation: 2, config: { default: { queues: { "2": "20002" } } } });
    expect(store.checkForChange()).toBe(false);
  });

  test("an emptied file (a save in progress, or an accident) does not replace a working menu", () => {
    const { path, store, text } = storeOnCopy();
    writeFileSync(path, "");
    expect(store.reload()).toBe(false);
    expect(store.current.generation).toBe(1);
    expect(text()).toContain("is empty; keeping the last good config");
  });

  test("a deleted file keeps the last good config", () => {
    const { path, store, text } = storeOnCopy();
    rmSync(path);
    expect(store.checkForChange()).toBe(false);
    expect(store.current.config.default?.welcome_sound).toBe("demo-congrats");
    expect(text()).toContain("cannot be read (ENOENT)");
  });

  test("snapshots are never changed in place: a call's config stays as it was", () => {
    const { path, store } = storeOnCopy();
    const before = store.current;
    writeFileSync(path, readFileSync(path, "utf8").replace('"1": "10001"', '"1": "20001"'));
    store.reload();
    expect(before.config.default?.queues?.["1"]).toBe("10001");
    expect(store.current.config.default?.queues?.["1"]).toBe("20001");
  });
});
