import { statSync } from "node:fs";
import { fileStamp, releaseRefresh, writeCachedConfig, writeRejected } from "./cache.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { type LoadedFile, loadConfigFile } from "./load.ts";
import { childEnv, selfCommand } from "./self.ts";

/**
 * The config read in a child process: `ivr __config FILE` (a hidden command) reads and
 * validates FILE and prints the result as one JSON document. ivr serve reloads this way, so
 * a large or pathological file never stalls the calls its event loop is serving, and a
 * reader that runs too long is killed; `ivr __config --cache FILE` is the per-call path's
 * background refresh of its cache (see per-call.ts).
 */
type Answer = ({ ok: true } & LoadedFile) | { ok: false; issues: ConfigIssue[] };

/** Long enough for the largest file we read (64 MB); a reader still busy after it is stopped. */
export const CHILD_TIMEOUT_MS = 60_000;

/** Runs in the child. */
export async function runConfigChild(args: string[]): Promise<number> {
  const [first, second] = args;
  if (first === "--cache" && second) return refreshCache(second);
  if (!first) {
    process.stderr.write("usage: ivr __config [--cache] FILE (internal)\n");
    return 2;
  }
  let answer: Answer;
  try {
    answer = { ok: true, ...loadConfigFile(first) };
  } catch (error) {
    answer = { ok: false, issues: error instanceof ConfigError ? [...error.issues] : [{ path: "", message: `cannot read the config: ${String(error)}` }] };
  }
  // Bun.write completes before the process exits; a bare stdout write to a pipe may not.
  await Bun.write(Bun.stdout, JSON.stringify(answer));
  return 0;
}

function refreshCache(path: string): number {
  let stamp: string | undefined;
  try {
    stamp = fileStamp(statSync(path));
    const loaded = loadConfigFile(path);
    writeCachedConfig(path, loaded.stamp, loaded.config);
  } catch (error) {
    const errors = error instanceof ConfigError ? error.message.split("\n") : [`${path}: cannot read the config: ${String(error)}`];
    if (stamp) writeRejected(path, stamp, errors);
  } finally {
    releaseRefresh(path);
  }
  return 0;
}

/** Runs in ivr serve: the config as the child read it, or a ConfigError saying why not. */
export async function readConfigInChild(path: string, timeoutMs = CHILD_TIMEOUT_MS): Promise<LoadedFile> {
  const proc = Bun.spawn(selfCommand(["__config", path]), { stdin: "ignore", stdout: "pipe", stderr: "pipe", env: childEnv() });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, timeoutMs);
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const fail = (message: string) => new ConfigError(path, [{ path: "", message }]);
  if (timedOut) throw fail(`reading the config took more than ${timeoutMs / 1000} s; stopped`);
  let answer: Answer;
  try {
    answer = JSON.parse(stdout) as Answer;
  } catch {
    const why = proc.signalCode ? `was killed (${proc.signalCode})` : `exited with ${proc.exitCode}`;
    const last = stderr.trim().split("\n").at(-1)?.slice(0, 300);
    throw fail(`the config reader ${why}${last ? `: ${last}` : ""}`);
  }
  if (!answer.ok) throw new ConfigError(path, answer.issues);
  return { config: answer.config, stamp: answer.stamp, hash: answer.hash };
}
