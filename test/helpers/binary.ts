import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../../scripts/build.ts";
import type { AsteriskSide } from "./fake-asterisk.ts";
import { LineReader } from "./line-reader.ts";

let built: Promise<string> | undefined;

/** The compiled `ivr`, built once per test run into a temporary directory. */
export function compiledBinary(): Promise<string> {
  built ??= buildBinary(join(mkdtempSync(join(tmpdir(), "ivr-bin-")), "ivr"));
  return built;
}

export interface AgiProcess extends AsteriskSide {
  readonly proc: Bun.Subprocess<"pipe", "pipe", "pipe">;
  /** Everything the process wrote to stderr, once it has exited. */
  stderr(): Promise<string>;
}

/**
 * Starts `ivr` the way Asterisk runs an agi-bin script: environment on stdin, commands on
 * stdout, SIGHUP on hangup, AST_AGI_DIR set so that arguments are AGI arguments.
 */
export function spawnAgi(binary: string, args: string[] = [], env: Record<string, string> = {}): AgiProcess {
  const proc = Bun.spawn([binary, ...args], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", AST_AGI_DIR: "/var/lib/asterisk/agi-bin", ...env },
  });
  const stderr = new Response(proc.stderr).text();
  return {
    proc,
    lines: LineReader.fromStream(proc.stdout),
    write: (data) => {
      proc.stdin.write(data);
      void proc.stdin.flush();
    },
    async signal(signal) {
      proc.kill(signal);
      // Asterisk sends SIGHUP and then the reply; give the signal its head start so the
      // transcript is deterministic (the code copes with either order, the transcript can't).
      await Bun.sleep(100);
    },
    stderr: async () => {
      await proc.exited;
      return stderr;
    },
  };
}
