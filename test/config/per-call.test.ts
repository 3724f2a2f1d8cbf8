import { describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { claimRefresh, fileStamp, readCachedConfig, releaseRefresh, tempDir } from "../../src/config/cache.ts";
import { configForCall, INLINE_PARSE_BYTES } from "../../src/config/per-call.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { sharedQueues } from "../helpers/config-texts.ts";
import { IVR_CONFIG } from "../helpers/ivr-replay.ts";
import { waitFor } from "../helpers/wait.ts";

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "ivr-percall-"));
  const config = join(dir, "config.yaml");
  copyFileSync(IVR_CONFIG, config);
  const env = { IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache") };
  const call = async () => {
    const { log, text } = captureLog();
    const loaded = await configForCall(undefined, log, env);
    return { config: loaded.config, path: loaded.path, log: text() };
  };
  const edit = (from: string, to: string) => writeFileSync(config, readFileSync(config, "utf8").replace(from, to));
  return { dir, config, env, call, edit };
}

describe("the config of a per-call process", () => {
  test("parsed once, then read from the validated cache until the file changes", async () => {
    const { call, edit } = setup();
    const first = await call();
    expect(first.log).toContain("Config loaded from");
    expect(first.config.default?.queues).toEqual({ "1": "10001", "2": "10002", "3": "10003" });
    const second = await call();
    expect(second.log).toBe("");
    expect(second.config).toEqual(first.config);

    edit('"1": "10001"', '"1": "20001"');
    const third = await call();
    expect(third.log).toContain("Config loaded from");
    expect(third.config.default?.queues?.["1"]).toBe("20001");
  });

  test("an invalid edit: the errors with positions, and the last good config", async () => {
    const { call, edit } = setup();
    await call();
    edit("max_attempts: 3", "max_attempts: lots");
    const broken = await call();
    expect(broken.log).toMatch(/config\.yaml:18:17: default\.max_attempts: must be a whole number/);
    expect(broken.log).toContain("keeping the last good config");
    expect(broken.config.default?.max_attempts).toBe(3);
  });

  test("a deleted file: the last good config, said so", async () => {
    const { call, config } = setup();
    await call();
    rmSync(config);
    const gone = await call();
    expect(gone.log).toContain("no such file");
    expect(gone.config.default?.welcome_sound).toBe("demo-congrats");
  });

  test("invalid with nothing to fall back on: the built-in defaults, and an error", async () => {
    const { call, edit } = setup();
    edit("max_attempts: 3", "max_attempts: lots");
    const result = await call();
    expect(result.config).toEqual({});
    expect(result.log).toContain("no valid config to fall back on; using the built-in defaults");
  });

  test("no config anywhere: the built-in defaults, and where it looked", async () => {
    const { log, text } = captureLog();
    const { config } = await configForCall("/nonexistent/ivr.yaml", log, {});
    expect(config).toEqual({});
    expect(text()).toContain("/nonexistent/ivr.yaml");
  });

  test("a cache directory others can write is not trusted", async () => {
    const { call, dir } = setup();
    mkdirSync(join(dir, "cache"), { mode: 0o777 });
    chmodSync(join(dir, "cache"), 0o777);
    await call();
    const again = (await call()).log;
    expect(again).toContain("Config loaded from"); // parsed again: no cache used
    expect(again).toContain(`WARN the config cache directory ${join(dir, "cache")} is not used, others may write to it (mode 777; chmod 700 it): every call parses the config`);
  });

  test("an editor's rename-save is a change like any other", async () => {
    const { call, config, dir } = setup();
    await call();
    const temp = join(dir, ".config.yaml.swp");
    writeFileSync(temp, readFileSync(config, "utf8").replace('"2": "10002"', '"2": "20002"'));
    renameSync(temp, config);
    expect((await call()).config.default?.queues?.["2"]).toBe("20002");
  });
});

describe("a per-call process and a changed config it cannot or should not parse during the call", () => {
  test("an invalid file is parsed once: later calls take its errors from the cache, with the last good config", async () => {
    const { call, edit, config, env } = setup();
    await call();
    edit("max_attempts: 3", "max_attempts: lots");
    await call();
    expect(readCachedConfig(config, env)?.rejected?.stamp).toBe(fileStamp(statSync(config)));
    const again = await call();
    expect(again.log).toMatch(/config\.yaml:18:17: default\.max_attempts: must be a whole number/);
    expect(again.log).toContain("keeping the last good config");
    expect(again.config.default?.max_attempts).toBe(3);
  });

  test("an emptied file is refused: the next call keeps the last good config, and so does one after an invalid edit", async () => {
    const { call, config } = setup();
    await call();
    writeFileSync(config, "");
    const emptied = await call();
    expect(emptied.log).toContain("the config is empty");
    expect(emptied.config.default?.queues?.["1"]).toBe("10001");
    writeFileSync(config, "default:\n  max_attempts: lots\n");
    expect((await call()).config.default?.queues?.["1"]).toBe("10001");
  });

  test("a large edit is read in the background: the call gets the last good config at once, the next one the new config", async () => {
    const { call, config, env } = setup();
    await call();
    writeFileSync(config, sharedQueues(10_000).replace('"1": "10001"', '"1": "20001"'));
    expect(statSync(config).size).toBeGreaterThan(INLINE_PARSE_BYTES);
    const during = await call();
    expect(during.log).toContain("changed and is large");
    expect(during.config.default?.queues?.["1"]).toBe("10001");
    await waitFor(() => readCachedConfig(config, env)?.stamp === fileStamp(statSync(config)), "the background refresh", 30_000);
    const after = await call();
    expect(after.log).toBe("");
    expect(after.config.default?.queues?.["1"]).toBe("20001");
    expect(Object.keys(after.config.dids ?? {})).toHaveLength(10_000);
  });

  test("a large invalid edit: the background reader records its errors; calls keep the last good config", async () => {
    const { call, config, env } = setup();
    await call();
    writeFileSync(config, `${sharedQueues(10_000)}  "0299999999":\n    max_attempts: lots\n`);
    await call();
    await waitFor(() => readCachedConfig(config, env)?.rejected?.stamp === fileStamp(statSync(config)), "the background refresh", 30_000);
    const after = await call();
    expect(after.log).toMatch(/config\.yaml:\d+:19: dids\.0299999999\.max_attempts: must be a whole number/);
    expect(after.config.default?.queues?.["1"]).toBe("10001");
  });

  test("a large file and no good config yet: the call waits for the background reader", async () => {
    const { config, env } = setup();
    writeFileSync(config, sharedQueues(10_000));
    const { log, text } = captureLog();
    const loaded = await configForCall(undefined, log, env, 30_000);
    expect(text()).toBe("");
    expect(loaded.config.dids?.["0200000149"]?.queues).toEqual({ "1": "10001", "2": "10002" });
  });

  test("one background reader at a time", () => {
    const { config, env } = setup();
    expect(claimRefresh(config, env)).toBe(true);
    expect(claimRefresh(config, env)).toBe(false);
    releaseRefresh(config, env);
    expect(claimRefresh(config, env)).toBe(true);
  });
});

describe("the cache directory's default place", () => {
  test("is os.tmpdir()'s: $TMPDIR, $TMP, $TEMP, else /tmp, without a trailing slash (read without node:os)", () => {
    expect(tempDir({})).toBe("/tmp");
    expect(tempDir({ TMPDIR: "/var/tmp/" })).toBe("/var/tmp");
    expect(tempDir({ TMP: "/scratch", TEMP: "/other" })).toBe("/scratch");
    expect(tempDir({ TEMP: "/other" })).toBe("/other");
    expect(tempDir({ TMPDIR: "/" })).toBe("/");
    expect(tempDir(process.env)).toBe(tmpdir());
  });
});
