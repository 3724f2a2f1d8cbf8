import { describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../../src/config/errors.ts";
import { ConfigStore } from "../../src/config/store.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { IVR_CONFIG } from "../helpers/ivr-replay.ts";

function storeOnCopy(reader?: Parameters<typeof ConfigStore.open>[2]) {
  const path = join(mkdtempSync(join(tmpdir(), "ivr-store-")), "ivr.yaml");
  copyFileSync(IVR_CONFIG, path);
  const captured = captureLog();
  return { path, store: ConfigStore.open(path, captured.log, reader), ...captured };
}

describe("ConfigStore", () => {
  test("an invalid file at start is refused with its positions", () => {
    const path = join(mkdtempSync(join(tmpdir(), "ivr-store-")), "ivr.yaml");
    writeFileSync(path, "default:\n  max_attempts: x\n");
    expect(() => ConfigStore.open(path, captureLog().log)).toThrow(ConfigError);
    expect(() => ConfigStore.open(path, captureLog().log)).toThrow(/ivr\.yaml:2:17: default\.max_attempts/);
  });

  test("a change is noticed by its file identity, without any watch event (the poll's path)", async () => {
    const { path, store } = storeOnCopy();
    expect(await store.checkForChange()).toBe(false);
    writeFileSync(path, readFileSync(path, "utf8").replace('"2": "10002"', '"2": "20002"'));
    expect(await store.checkForChange()).toBe(true);
    expect(store.current).toMatchObject({ generation: 2, config: { default: { queues: { "2": "20002" } } } });
    expect(await store.checkForChange()).toBe(false);
  });

  test("an emptied or comments-only file (a save in progress, or an accident) does not replace a working menu", async () => {
    const { path, store, text } = storeOnCopy();
    for (const empty of ["", "# all commented out\n#default:\n\n"]) {
      writeFileSync(path, empty);
      expect(await store.reload()).toBe(false);
      expect(store.current.generation).toBe(1);
    }
    expect(text()).toContain("the config is empty (nothing but blank lines and comments)");
    expect(text()).toContain("keeping the last good config (generation 1)");
  });

  test("a deleted file keeps the last good config", async () => {
    const { path, store, text } = storeOnCopy();
    rmSync(path);
    expect(await store.checkForChange()).toBe(false);
    expect(store.current.config.default?.welcome_sound).toBe("demo-congrats");
    expect(text()).toContain("cannot read the config: no such file");
  });

  test("snapshots are never changed in place: a call's config stays as it was", async () => {
    const { path, store } = storeOnCopy();
    const before = store.current;
    writeFileSync(path, readFileSync(path, "utf8").replace('"1": "10001"', '"1": "20001"'));
    await store.reload();
    expect(before.config.default?.queues?.["1"]).toBe("10001");
    expect(store.current.config.default?.queues?.["1"]).toBe("20001");
  });

  test("a reader that fails in an unexpected way, or a listener that throws, is logged; the store carries on", async () => {
    let fail = true;
    const { path, store, text } = storeOnCopy(async (file) => {
      if (fail) throw new RangeError("Maximum call stack size exceeded");
      const { loadConfigFile } = await import("../../src/config/load.ts");
      return loadConfigFile(file);
    });
    store.onReload(() => {
      throw new Error("listener broke");
    });
    writeFileSync(path, readFileSync(path, "utf8").replace('"1": "10001"', '"1": "20001"'));
    expect(await store.reload()).toBe(false);
    expect(text()).toContain("cannot read the config: RangeError: Maximum call stack size exceeded");
    fail = false;
    expect(await store.reload()).toBe(true);
    expect(text()).toContain("after the config reload: listener broke");
    expect(store.current.config.default?.queues?.["1"]).toBe("20001");
  });

  test("reloads asked for while one runs are done one at a time, and once more after it", async () => {
    let running = 0;
    let most = 0;
    let reads = 0;
    const { path, store } = storeOnCopy(async (file) => {
      running++;
      reads++;
      most = Math.max(most, running);
      await Bun.sleep(20);
      running--;
      const { loadConfigFile } = await import("../../src/config/load.ts");
      return loadConfigFile(file);
    });
    writeFileSync(path, readFileSync(path, "utf8").replace('"1": "10001"', '"1": "20001"'));
    const first = store.reload();
    writeFileSync(path, readFileSync(path, "utf8").replace('"1": "20001"', '"1": "30001"'));
    const second = store.reload();
    const third = store.reload();
    expect(await Promise.all([first, second, third])).toEqual([true, true, true]);
    expect(most).toBe(1);
    expect(reads).toBe(2);
    expect(store.current.config.default?.queues?.["1"]).toBe("30001");
  });
});
