import { beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { envText } from "../helpers/fastagi-client.ts";
import { loadTranscript, recorded } from "../helpers/transcript.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "greeting");
let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

describe("the compiled binary in stdin mode", () => {
  test("plays a call: a digit during the prompt, exit 0", async () => {
    const agi = spawnAgi(binary);
    await playAsterisk(loadTranscript(join(FIXTURES, "stdin-digit.txt")), agi);
    expect(await agi.proc.exited).toBe(0);
    expect(await agi.stderr()).toContain("pressed=1");
  });

  test("SIGHUP mid-prompt: it finishes its dead-channel commands and exits 0", async () => {
    const agi = spawnAgi(binary);
    const { received } = await playAsterisk(loadTranscript(join(FIXTURES, "stdin-hangup.txt")), agi);
    expect(received.at(-1)).toBe("GET VARIABLE CALLERID(num)");
    expect(await agi.proc.exited).toBe(0);
    const stderr = await agi.stderr();
    expect(stderr).toContain("caller=+66812345678");
    expect(stderr).toContain("hungup=true");
  });

  test("started by Asterisk, an argument is an AGI argument, not a command", async () => {
    const agi = spawnAgi(binary, ["0212345678"]);
    agi.write(envText(recorded("stdin-menu-digit1-queue").env));
    expect(await agi.lines.next()).toBe("CHANNEL STATUS");
    agi.proc.stdin.end();
    expect(await agi.proc.exited).toBe(0);
  });

  test("Asterisk gone (stdout closed, EPIPE): no crash, exit 0, the reason logged", async () => {
    // The reader takes the first command, closes the pipe's read end for real, and says so.
    const script = 'set -o pipefail; "$0" | { head -n 1; exec 0<&-; echo READ-END-CLOSED >&2; }';
    const proc = Bun.spawn(["bash", "-c", script, binary], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AST_AGI_DIR: "/var/lib/asterisk/agi-bin" },
    });
    const stdout = LineReader.fromStream(proc.stdout);
    const stderr = LineReader.fromStream(proc.stderr);
    proc.stdin.write(envText(recorded("stdin-menu-digit1-queue").env));
    await proc.stdin.flush();
    expect(await stdout.next()).toBe("CHANNEL STATUS");
    while ((await stderr.next(5000, "READ-END-CLOSED")) !== "READ-END-CLOSED");
    proc.stdin.write("200 result=6\n");
    await proc.stdin.flush();
    expect(await proc.exited).toBe(0);
    const log = (await stderr.closed()).join("\n");
    expect(log).toContain("call ended by hangup (closed)");
    expect(log).not.toMatch(/unhandled|EPIPE|panic/i);
  });

  test("stdin closed before the environment ends: a clear error, exit 1", async () => {
    const agi = spawnAgi(binary);
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
    expect(await run(["help", "agi"])).toMatchObject({ code: 0, stdout: expect.stringContaining("AGI(/var/lib/asterisk/agi-bin/ivr)") });
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
    const badValue = await run(["serve", "--fastagi", "localhost"]);
    expect(badValue).toMatchObject({ code: 2, stderr: expect.stringContaining("--fastagi takes HOST:PORT") });
  });
});
