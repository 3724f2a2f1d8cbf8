import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { sharedQueues } from "../helpers/config-texts.ts";

const ROOT = join(import.meta.dir, "..", "..");
// The Rust seed's config, byte for byte: it must load and route unchanged.
const SEED = join(ROOT, "test", "fixtures", "config", "seed-config.yaml");
let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

async function ivr(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawn([binary, ...args], {
    cwd: options.cwd ?? ROOT,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("ivr check", () => {
  test("the Rust seed's config: valid, each DID's menu described, exit 0", async () => {
    const { stdout, code } = await ivr(["check", "--config", SEED]);
    expect(code).toBe(0);
    expect(stdout).toContain(`✓ ${SEED} is valid (found by --config)`);
    expect(stdout).toMatch(/^0212345678 +welcome custom\/welcome-hq; queues 1→10001 2→10002 3→10003; extensions of 3-4 digits via Dial\(PJSIP\/\{ext\},60,t\); 3 attempts$/m);
    expect(stdout).toContain("1 DID configured");
  });

  test("errors: each at its file:line:col with its key path, exit 1", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-check-"));
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, 'default:\n  max_attempts: lots\ndids:\n  "0212345678":\n    welcom_sound: x\n');
    const { stderr, stdout, code } = await ivr(["check", "--config", bad]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([
      `${bad}:2:17: default.max_attempts: must be a whole number`,
      `${bad}:5:5: dids.0212345678.welcom_sound: unknown key "welcom_sound" (did you mean "welcome_sound"?)`,
    ]);
  });

  test("a config of 2,000 DIDs: every line reaches a pipe (output used to stop at 64 KiB)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-check-"));
    const big = join(dir, "big.yaml");
    writeFileSync(big, sharedQueues(2000));
    const { stdout, code } = await ivr(["check", "--config", big]);
    expect(code).toBe(0);
    expect(stdout.length).toBeGreaterThan(65_536);
    expect(stdout).toMatch(/^0200001999 +welcome ivr\/welcome; queues 1→10001 2→10002;/m);
    expect(stdout).toContain("2000 DIDs configured");
  });

  test("found through $IVR_CONFIG; none anywhere: says where it looked, exit 1", async () => {
    expect((await ivr(["check"], { env: { IVR_CONFIG: SEED } })).stdout).toContain("(found by $IVR_CONFIG)");
    const none = await ivr(["check"], { cwd: mkdtempSync(join(tmpdir(), "ivr-none-")) });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no config file found (looked at --config, $IVR_CONFIG");
  });
});

describe("ivr simulate", () => {
  const simulate = (...args: string[]) => ivr(["simulate", "--config", SEED, ...args]);

  test("--did 0212345678 --press 1: the conversation shows EXEC Queue 10001, answered", async () => {
    const { stdout, code } = await simulate("--did", "0212345678", "--press", "1");
    expect(code).toBe(0);
    expect(stdout).toContain('> STREAM FILE custom/welcome-hq "0123456789"\n< 200 result=49 endpos=13760');
    expect(stdout).toContain("> EXEC Queue 10001\n< 200 result=-1");
    expect(stdout).toContain("Outcome: answered, queue 10001, talk 42 s");
  });

  test("an extension, a busy one, an invalid key then a queue, a hangup", async () => {
    expect((await simulate("--did", "0212345678", "--press", "6789")).stdout).toContain("> EXEC Dial PJSIP/6789,60,t");
    expect((await simulate("--did", "0212345678", "--press", "101", "--result", "busy")).stdout).toContain("Outcome: busy, extension 101 (PJSIP/101)");
    const retry = (await simulate("--did", "0299999999", "--press", "7,2")).stdout;
    expect(retry).toContain('> STREAM FILE en/custom/new-ivr-osd "0123456789"');
    expect(retry).toContain('> VERBOSE "Invalid input: 7 (attempt 1 of 3)" 1');
    expect(retry).toContain("> STREAM FILE invalid");
    expect(retry).toContain("Outcome: answered, queue 10002");
    expect((await simulate("--did", "0212345678", "--press", "h")).stdout).toContain("Outcome: hungup_in_menu");
  });

  test("nothing pressed: the menu max_attempts times, then goodbye", async () => {
    const { stdout } = await simulate("--did", "0212345678");
    expect(stdout.match(/> STREAM FILE custom\/welcome-hq/g)).toHaveLength(3);
    expect(stdout).toContain('> STREAM FILE vm-goodbye ""');
    expect(stdout).toContain("Outcome: no_selection");
  });

  test("bad arguments: exit 2 with the reason", async () => {
    expect(await simulate("--press", "1")).toMatchObject({ code: 2, stderr: expect.stringContaining("--did is required") });
    expect(await simulate("--did", "1", "--press", "1x")).toMatchObject({ code: 2, stderr: expect.stringContaining("--press takes keys") });
    expect(await simulate("--did", "1", "--result", "maybe")).toMatchObject({ code: 2, stderr: expect.stringContaining("--result takes answer") });
  });
});
