/**
 * The README's walkthrough, run as written from what a fresh clone holds: the background
 * command until its output shows what the README shows, then each `$ ` command, whose
 * output must contain the lines the README shows under it.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { firstMissing, linePattern, parseWalkthrough } from "../helpers/walkthrough.ts";

const ROOT = join(import.meta.dir, "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const walkthrough = parseWalkthrough(README);
const cleanup: string[] = [];
afterAll(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe("the README's walkthrough blocks", () => {
  test("are marked and hold a server, what it prints, and commands with their output", () => {
    expect(walkthrough.background).toEqual(["npm ci && npm start"]);
    expect(walkthrough.backgroundOutput.length).toBeGreaterThan(0);
    expect(walkthrough.commands.map((c) => c.command.split(" ").slice(0, 2).join(" "))).toEqual(["./dist/ivr simulate", "./dist/ivr calls"]);
  });

  test("the matcher: ... is any text, spaces any whitespace, lines in order", () => {
    expect(linePattern("1   ...   +66  answered").test("1   2026-11-22 04:17:53  +66    answered")).toBe(true);
    expect(linePattern("> EXEC Queue 10001").test("> EXEC Queue 10001,t")).toBe(false);
    expect(firstMissing("a\nb\nc", ["a", "...", "c"])).toBeUndefined();
    expect(firstMissing("c\nb\na", ["a", "c"])).toBe("c");
  });
});

/** Every file a clone of the repository has (tracked, or new and not ignored), with its mode. */
async function copyOfRepository(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "ivr-clone-"));
  cleanup.push(dir);
  const list = Bun.spawnSync(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT });
  if (list.exitCode !== 0) throw new Error(`git ls-files failed in ${ROOT}: ${list.stderr}`);
  for (const file of list.stdout.toString().split("\0").filter(Boolean)) {
    const from = join(ROOT, file);
    if (!existsSync(from) || file === "node_modules") continue; // deleted in the working tree; linked below
    const to = join(dir, file);
    mkdirSync(dirname(to), { recursive: true });
    if (lstatSync(from).isSymbolicLink()) {
      symlinkSync(readlinkSync(from), to);
      continue;
    }
    copyFileSync(from, to);
    chmodSync(to, statSync(from).mode & 0o777);
  }
  // What `npm ci` would install, without the network: the test's own node_modules.
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** `npm` that skips `ci` (node_modules is linked) and runs the real npm for everything else. */
function npmShim(): string {
  const dir = mkdtempSync(join(tmpdir(), "ivr-npm-"));
  cleanup.push(dir);
  const realNpm = Bun.which("npm");
  if (!realNpm) throw new Error("npm is not on PATH");
  writeFileSync(
    join(dir, "npm"),
    `#!/bin/sh\nif [ "$1" = ci ]; then [ -d node_modules ] && echo "npm ci: node_modules linked by the test" && exit 0; exit 1; fi\nexec ${realNpm} "$@"\n`,
    { mode: 0o755 },
  );
  return dir;
}

/**
 * The walkthrough listens on fixed ports (4573, 8021). In a network namespace of its own it
 * cannot meet another test run or a server someone left running; where namespaces are not
 * allowed, runs on this machine are serialized with a lock instead.
 */
function isolation(): { prefix: string[]; isolated: boolean } {
  for (const prefix of [["unshare", "-n"], ["unshare", "-rn"]]) {
    if (Bun.spawnSync([...prefix, "ip", "link", "set", "lo", "up"]).exitCode === 0) return { prefix, isolated: true };
  }
  return { prefix: Bun.which("flock") ? ["flock", join(tmpdir(), "ivr-walkthrough.lock")] : [], isolated: false };
}

// Runs inside the namespace: the background command in its own process group, then each
// command when the test asks for it (go-N), its output and exit status back in files.
const DRIVER = `set -m
if [ "$ISOLATED" = 1 ]; then ip link set lo up; fi
cd "$CLONE"
(bash -c "$BACKGROUND"; echo $? >"$OUT/background.rc") >"$OUT/background.log" 2>&1 &
background=$!
n=0
while :; do
  while [ ! -e "$OUT/go-$n" ] && [ ! -e "$OUT/stop" ]; do sleep 0.05; done
  [ -e "$OUT/go-$n" ] || break
  bash -c "$(cat "$OUT/cmd-$n")" >"$OUT/out-$n" 2>&1
  echo $? >"$OUT/rc-$n.tmp" && mv "$OUT/rc-$n.tmp" "$OUT/rc-$n"
  n=$((n + 1))
done
kill -TERM -- "-$background" 2>/dev/null
wait "$background"
`;

async function until<T>(what: string, probe: () => T | undefined, timeoutMs: number, context: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${context()}`);
    await Bun.sleep(50);
  }
}

const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : "");

/** Calls the server has finished, and calls in the history file: equal once its batched writes are out. */
function serverCaughtUp(clone: string, log: string): true | undefined {
  const finished = log.match(/Call finished:/g)?.length ?? 0;
  if (finished === 0) return true;
  const path = join(clone, "data", "ivr.sqlite");
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true });
  try {
    return (db.query("SELECT count(*) AS n FROM calls").get() as { n: number }).n >= finished ? true : undefined;
  } catch {
    return undefined; // not migrated yet
  } finally {
    db.close();
  }
}

describe("the README's walkthrough, run as written from a fresh copy of the repository", () => {
  test(
    "npm start listens and says what to try; the call through it is in the history",
    async () => {
      const clone = await copyOfRepository();
      expect(existsSync(join(clone, "data"))).toBe(false);
      expect(existsSync(join(clone, "dist"))).toBe(false);
      const out = mkdtempSync(join(tmpdir(), "ivr-walkthrough-"));
      cleanup.push(out);
      const { prefix, isolated } = isolation();
      const driver = Bun.spawn([...prefix, "bash", "-c", DRIVER], {
        env: {
          ...process.env,
          PATH: `${npmShim()}:${process.env.PATH}`,
          NPM_CONFIG_UPDATE_NOTIFIER: "false",
          CLONE: clone,
          OUT: out,
          BACKGROUND: walkthrough.background.join("\n"),
          ISOLATED: isolated ? "1" : "0",
        },
        stdout: "pipe",
        stderr: "pipe",
      });
      const background = () => {
        const log = read(join(out, "background.log"));
        if (existsSync(join(out, "background.rc"))) throw new Error(`the background command exited (${read(join(out, "background.rc")).trim()}):\n${log}`);
        return log;
      };
      try {
        await until("the background command's output the README shows", () => (firstMissing(background(), walkthrough.backgroundOutput) === undefined ? true : undefined), 90_000, () => {
          return `missing: ${firstMissing(background(), walkthrough.backgroundOutput)}\n--- its output:\n${background()}`;
        });

        for (const [n, { command, output }] of walkthrough.commands.entries()) {
          // A person types the next command long after the server's batched write (25 ms);
          // the test, which is faster, waits for it rather than racing it.
          await until("the server's history writes", () => serverCaughtUp(clone, background()), 10_000, background);
          writeFileSync(join(out, `cmd-${n}`), command);
          writeFileSync(join(out, `go-${n}`), "");
          const rc = await until(`"${command}" to finish`, () => (existsSync(join(out, `rc-${n}`)) ? Number(read(join(out, `rc-${n}`))) : undefined), 30_000, background);
          const printed = read(join(out, `out-${n}`));
          expect({ command, rc, printed }).toEqual({ command, rc: 0, printed });
          expect({ command, missing: firstMissing(printed, output), printed }).toEqual({ command, missing: undefined, printed });
        }
      } finally {
        writeFileSync(join(out, "stop"), "");
        await driver.exited;
      }
      // The driver is done once the server has its SIGTERM; the server finishes on its own.
      const log = () => read(join(out, "background.log"));
      await until("the server to stop gracefully", () => (log().includes("INFO stopped") ? true : undefined), 40_000, log);
    },
    120_000,
  );
});
