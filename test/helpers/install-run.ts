import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..", "..");

/** A temporary target root laid out like an Asterisk server. */
export function targetRoot() {
  const root = mkdtempSync(join(tmpdir(), "ivr-target-"));
  const agiDir = join(root, "var/lib/asterisk/agi-bin");
  const soundsDir = join(root, "var/lib/asterisk/sounds/ivr");
  const unitDir = join(root, "etc/systemd/system");
  const dbDir = join(root, "var/lib/asterisk/ivr");
  return { root, agiDir, soundsDir, unitDir, dbDir, dirArgs: ["--agi-dir", agiDir, "--sounds-dir", soundsDir, "--unit-dir", unitDir, "--db-dir", dbDir] };
}

export async function runInstall(args: string[]) {
  const proc = Bun.spawn([join(ROOT, "install.sh"), ...args], { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}
