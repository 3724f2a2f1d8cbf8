import { beforeAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { LineReader } from "../helpers/line-reader.ts";

// A per-call process checks for a terminal without node's stdin stream (a call must not pay
// for it); a person who types `ivr agi` in a terminal still gets the hint.

const HINT = "reading an AGI environment from the terminal";
let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

function env() {
  const dir = mkdtempSync(join(tmpdir(), "ivr-terminal-"));
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", IVR_CONFIG: join(dir, "none.yaml"), IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: join(dir, "ivr.sqlite") };
}

test("typed in a terminal: the hint, and Ctrl-D ends it like any early end of input", async () => {
  // util-linux script(1) runs the command on a pseudo-terminal; its output is the terminal's.
  const script = Bun.spawn(["script", "-qec", `${binary} agi`, "/dev/null"], { stdin: "pipe", stdout: "pipe", stderr: "pipe", env: env() });
  const lines = LineReader.fromStream(script.stdout);
  let line: string | undefined;
  do line = await lines.next(30_000, "the terminal hint");
  while (line !== undefined && !line.includes(HINT));
  expect(line).toContain(`WARN ${HINT}; Asterisk runs this with AGI() (see ivr --help)`);
  script.stdin.write("\x04");
  await script.stdin.flush();
  expect(await script.exited).toBe(1);
});

test("stdin that is a character device but no terminal (/dev/null): no hint", async () => {
  const proc = Bun.spawn([binary, "agi"], { stdin: Bun.file("/dev/null"), stdout: "pipe", stderr: "pipe", env: env() });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  expect(code).toBe(1);
  expect(stderr).toContain("before the AGI environment was complete");
  expect(stderr).not.toContain(HINT);
});
