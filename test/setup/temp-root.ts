/**
 * Preloaded before every test file (bunfig.toml): the run's temporary files (history files,
 * configs, compiled binaries, install targets: many tests make them and few remove them) go
 * into one directory of their own, removed when the run ends. Without it, every run left
 * about a gigabyte in /tmp. TMPDIR is read by os.tmpdir() at each call and inherited by the
 * processes the tests start. A run killed before its end leaves its directory: the next run
 * removes those whose process is gone.
 */
import { afterAll } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "ivr-test-run-";
const system = tmpdir();

for (const name of readdirSync(system)) {
  const pid = Number(name.slice(PREFIX.length).split("-")[0]);
  if (name.startsWith(PREFIX) && Number.isInteger(pid) && !alive(pid)) rmSync(join(system, name), { recursive: true, force: true });
}

const root = mkdtempSync(join(system, `${PREFIX}${process.pid}-`));
process.env.TMPDIR = root;

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
