import { beforeAll, describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { billionLaughs, sharedQueues } from "../helpers/config-texts.ts";
import { fileStamp, readCachedConfig } from "../../src/config/cache.ts";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { connectFastAgi, fastAgiEnv } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { pressForQueue } from "../helpers/menu-call.ts";
import { waitFor } from "../helpers/wait.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

const SHARED_DID = "0200000149";

/** The recorded FastAGI environment, calling `did`. */
const envFor = (did: string) => fastAgiEnv("ivr").map((line) => (line.startsWith("agi_extension: ") ? `agi_extension: ${did}` : line));

async function run(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([binary, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

async function logLine(log: LineReader, text: string | RegExp, timeoutMs = 20_000): Promise<string> {
  for (;;) {
    const line = await log.next(timeoutMs, `a log line with ${text}`);
    if (line === undefined) throw new Error(`the log ended without ${text}`);
    if (typeof text === "string" ? line.includes(text) : text.test(line)) return line;
  }
}

describe("a config ivr serve reloads can never stop it", () => {
  test("150 DIDs sharing an alias reload; a billion laughs, an empty file, a FIFO are refused with their reason; calls get the last good menu", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-hardening-"));
    const config = join(dir, "ivr.yaml");
    copyFileSync(IVR_CONFIG, config);
    const proc = Bun.spawn([binary, "serve", "--config", config, "--db", join(dir, "ivr.sqlite"), "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const log = LineReader.fromStream(proc.stderr);
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(await logLine(log, "FastAGI listening on"))?.[1]);

    const replace = (text: string) => {
      writeFileSync(join(dir, ".ivr.yaml.tmp"), text);
      renameSync(join(dir, ".ivr.yaml.tmp"), config);
    };
    replace(sharedQueues(150));
    await logLine(log, "Config reloaded successfully! (" + config + ", generation 2)");
    const queueOf = async () => (await pressForQueue(await connectFastAgi(port), envFor(SHARED_DID), "2")).at(-1);
    expect(await queueOf()).toBe("EXEC Queue 10002");

    replace(billionLaughs());
    expect(await logLine(log, "ivr.yaml:")).toMatch(/ivr\.yaml:6:\d+: aliases expand this file to more than 100,000 values/);
    await logLine(log, "config not reloaded: keeping the last good config (generation 2)");

    replace("# everything commented out\n");
    await logLine(log, "the config is empty");

    rmSync(config);
    execFileSync("mkfifo", [config]);
    await logLine(log, "it is a FIFO (named pipe), not a regular file");
    expect(await queueOf()).toBe("EXEC Queue 10002");

    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }, 60_000);
});

describe("per call", () => {
  test("a DID of 150 sharing an alias gets its menu", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-hardening-agi-"));
    const config = join(dir, "ivr.yaml");
    writeFileSync(config, sharedQueues(150));
    const agi = spawnAgi(binary, [SHARED_DID], { IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: join(dir, "ivr.sqlite") });
    expect((await pressForQueue(agi, envFor(SHARED_DID), "1")).at(-1)).toBe("EXEC Queue 10001");
    expect(await agi.proc.exited).toBe(0);
  });

  test("a large edit: the call gets the last good menu at once; the binary's background reader brings the new one for the next call", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-hardening-agi-"));
    const config = join(dir, "ivr.yaml");
    writeFileSync(config, sharedQueues(150));
    const env = { IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: join(dir, "ivr.sqlite") };
    const callFor = async (key: string) => {
      const agi = spawnAgi(binary, [SHARED_DID], env);
      const queue = (await pressForQueue(agi, envFor(SHARED_DID), key)).at(-1);
      expect(await agi.proc.exited).toBe(0);
      return { queue, log: await agi.stderr() };
    };
    expect((await callFor("1")).queue).toBe("EXEC Queue 10001");

    writeFileSync(config, sharedQueues(20_000).replace('"1": "10001"', '"1": "20001"')); // over 256 KiB
    const during = await callFor("1");
    expect(during.queue).toBe("EXEC Queue 10001");
    expect(during.log).toContain("changed and is large");
    await waitFor(() => readCachedConfig(config, env)?.stamp === fileStamp(statSync(config)), "the background reader", 30_000);
    const after = await callFor("1");
    expect(after.queue).toBe("EXEC Queue 20001");
    expect(after.log).not.toContain("Config loaded from"); // from the cache the reader wrote
  }, 60_000);

  test("a billion laughs, /dev/zero, a FIFO: the error is logged and the call still gets a menu (the built-in one)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-hardening-agi-"));
    const laughs = join(dir, "laughs.yaml");
    writeFileSync(laughs, billionLaughs());
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    for (const [config, reason] of [
      [laughs, /laughs\.yaml:6:\d+: aliases expand this file/],
      ["/dev/zero", /it is a device, not a regular file/],
      [fifo, /it is a FIFO \(named pipe\), not a regular file/],
    ] as const) {
      const agi = spawnAgi(binary, ["0212345678"], { IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: join(dir, "ivr.sqlite") });
      agi.write(envFor("0212345678").map((line) => `${line}\n`).join(""));
      expect(await agi.lines.next(10_000, "the first command")).toBe('VERBOSE "Incoming call - DID: 0212345678" 1');
      agi.proc.kill("SIGHUP");
      agi.proc.stdin.end();
      const stderr = await agi.stderr();
      expect(stderr).toMatch(reason);
      expect(stderr).toContain("using the built-in defaults");
    }
  }, 30_000);
});

describe("the commands refuse what they cannot read, without a stack trace", () => {
  test("ivr check, dialplan and simulate on a billion laughs, /dev/zero and a FIFO: the reason, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-hardening-cli-"));
    const laughs = join(dir, "laughs.yaml");
    writeFileSync(laughs, billionLaughs());
    const fifo = join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    for (const command of [["check"], ["dialplan"], ["simulate", "--did", "1"]]) {
      for (const [config, reason] of [
        [laughs, `${laughs}:6:`],
        ["/dev/zero", "/dev/zero: cannot read the config: it is a device, not a regular file"],
        [fifo, `${fifo}: cannot read the config: it is a FIFO (named pipe), not a regular file`],
      ]) {
        const { code, stderr } = await run([...command, "--config", config!]);
        expect({ command, code }).toEqual({ command, code: 1 });
        expect(stderr).toContain(reason!);
        expect(stderr).not.toContain("    at ");
      }
    }
  }, 30_000);
});
