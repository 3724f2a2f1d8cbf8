import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { envText } from "../helpers/fastagi-client.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { loadTranscript } from "../helpers/transcript.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

const ivr = (name: string) => loadTranscript(join(IVR_FIXTURES, name));

/** A private config file and cache directory for one test, as an installation would have. */
function installation() {
  const dir = mkdtempSync(join(tmpdir(), "ivr-agi-"));
  const config = join(dir, "config.yaml");
  copyFileSync(IVR_CONFIG, config);
  return { config, db: join(dir, "ivr.sqlite"), env: { IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: join(dir, "ivr.sqlite") } };
}

describe("the compiled binary in stdin mode, started as Asterisk does", () => {
  test("a menu call: key 1, the inter-digit timeout, Queue 10001 answered; exit 0", async () => {
    const agi = spawnAgi(binary, [], installation().env);
    await playAsterisk(ivr("stdin-queue-after-timeout.txt"), agi);
    expect(await agi.proc.exited).toBe(0);
    expect(await agi.stderr()).toContain("Call finished: answered, queue 10001, talk 2 s");
  });

  test("SIGHUP during the welcome: no further audio commands, exit 0, recorded as hung up in the menu", async () => {
    const agi = spawnAgi(binary, [], installation().env);
    await playAsterisk(ivr("stdin-hangup-during-welcome.txt"), agi);
    expect(await agi.proc.exited).toBe(0);
    expect(await agi.stderr()).toContain("Call finished: hungup_in_menu");
  });

  test("SIGHUP during Queue: the outcome is still read on the dead channel, exit 0", async () => {
    const agi = spawnAgi(binary, [], installation().env);
    const { received } = await playAsterisk(ivr("stdin-queue-abandoned.txt"), agi);
    expect(received.slice(-2)).toEqual(["GET VARIABLE MEMBERINTERFACE", "GET VARIABLE CHANNEL(linkedid)"]);
    expect(await agi.proc.exited).toBe(0);
    expect(await agi.stderr()).toContain("Call finished: abandoned, queue 10009, wait 4 s");
  });

  test("AGI(ivr,0298765432): the argument is the DID, not a command", async () => {
    const agi = spawnAgi(binary, ["0298765432"], installation().env);
    await playAsterisk(ivr("stdin-arg-overrides-did.txt"), agi);
    expect(await agi.proc.exited).toBe(0);
  });

  test("per call, the config is re-read: an edit applies to the next call, an invalid edit keeps the last good one", async () => {
    const { config, env } = installation();
    const first = spawnAgi(binary, [], env);
    await playAsterisk(ivr("stdin-queue-after-timeout.txt"), first);
    expect(await first.stderr()).toContain("Config loaded from");

    const cached = spawnAgi(binary, [], env); // unchanged file: the validated cache, no parse
    await playAsterisk(ivr("stdin-queue-after-timeout.txt"), cached);
    expect(await cached.stderr()).not.toContain("Config loaded from");

    writeFileSync(config, readFileSync(config, "utf8").replace('"1": "10001"', '"1": "20001"'));
    const edited = spawnAgi(binary, [], env);
    const transcript = ivr("stdin-queue-after-timeout.txt");
    const expectingNewQueue = {
      ...transcript,
      steps: transcript.steps.map((s) => (s.kind === "agi" ? { ...s, line: s.line.replace("10001", "20001") } : s)),
    };
    await playAsterisk(expectingNewQueue, edited);
    expect(await edited.proc.exited).toBe(0);

    writeFileSync(config, readFileSync(config, "utf8").replace("max_attempts: 3", "max_attempts: lots"));
    const broken = spawnAgi(binary, [], env);
    await playAsterisk(expectingNewQueue, broken);
    const log = await broken.stderr();
    expect(log).toMatch(/config\.yaml:\d+:\d+: default\.max_attempts: must be a whole number/);
    expect(log).toContain("keeping the last good config");
  });

  test("Asterisk gone (stdout closed, EPIPE): no crash, exit 0, the reason logged", async () => {
    // The reader takes the first command, closes the pipe's read end for real, and says so.
    const script = 'set -o pipefail; "$0" | { head -n 1; exec 0<&-; echo READ-END-CLOSED >&2; }';
    const proc = Bun.spawn(["bash", "-c", script, binary], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AST_AGI_DIR: "/var/lib/asterisk/agi-bin", ...installation().env },
    });
    const stdout = LineReader.fromStream(proc.stdout);
    const stderr = LineReader.fromStream(proc.stderr);
    proc.stdin.write(envText(ivr("stdin-queue-after-timeout.txt").env));
    await proc.stdin.flush();
    expect(await stdout.next()).toBe('VERBOSE "Incoming call - DID: 0212345678" 1');
    while ((await stderr.next(5000, "READ-END-CLOSED")) !== "READ-END-CLOSED");
    proc.stdin.write("200 result=1\n");
    await proc.stdin.flush();
    expect(await proc.exited).toBe(0);
    const log = (await stderr.closed()).join("\n");
    expect(log).toContain("Call finished: hungup_in_menu");
    expect(log).not.toMatch(/unhandled|EPIPE|panic/i);
  });

  test("stdin closed before the environment ends: a clear error, exit 1", async () => {
    const agi = spawnAgi(binary, [], installation().env);
    agi.write("agi_request: /var/lib/asterisk/agi-bin/ivr\nagi_chan");
    agi.proc.stdin.end();
    expect(await agi.proc.exited).toBe(1);
    expect(await agi.stderr()).toContain("before the AGI environment was complete");
  });
});

describe("the command line", () => {
  const run = async (args: string[]) => {
    const proc = Bun.spawn([binary, ...args], { stdin: "ignore", stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    return { stdout, stderr, code };
  };

  test("--help and help CMD print usage, exit 0", async () => {
    expect(await run(["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: ivr [command]") });
    expect(await run(["serve", "--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("--fastagi HOST:PORT") });
    expect(await run(["help", "simulate"])).toMatchObject({ code: 0, stdout: expect.stringContaining("--press KEYS") });
  });

  test("version prints the package version", async () => {
    const { version } = await Bun.file(join(import.meta.dir, "..", "..", "package.json")).json();
    expect(await run(["version"])).toMatchObject({ code: 0, stdout: `ivr ${version}\n` });
  });

  test("an unknown command or flag: usage on stderr, exit 2", async () => {
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(unknown.stderr).toContain("Usage: ivr [command]");
    const badFlag = await run(["serve", "--no-such-flag"]);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain("--no-such-flag");
    const badValue = await run(["serve", "--fastagi", "localhost", "--config", IVR_CONFIG]);
    expect(badValue).toMatchObject({ code: 2, stderr: expect.stringContaining("--fastagi takes HOST:PORT") });
  });
});
