/**
 * Row 4: one agi-bin call, the whole IVR session in one process, driven by the C driver
 * (bench/peers/agi-drive.c: it plays Asterisk at no interpreter cost and reports the first
 * command, the release, the exit and the peak RSS from wait4). Against a compiled Bun "hello"
 * (bench/hello/print.ts) run by the same driver: its spawn-to-exit is "hello's start".
 * Calls alternate ivr, hello, ivr, ... so that noise hits both alike.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { spawnTracked } from "./procs.ts";
import { writeBenchConfig } from "./product-config.ts";
import { median } from "./stats.ts";

export interface Drive {
  first: number;
  released: number;
  exited: number;
  commands: number;
  rc: number;
  peakKib: number;
  /** User + system CPU time of the program (not the driver). */
  cpuMs: number;
}

/** What a per-call `ivr` needs in its environment: Asterisk's AST_AGI_DIR, a config, a cache dir, a history. */
export function perCallEnv(dir: string): Record<string, string> {
  // The config cache is only trusted in a directory no one else can write (src/config/cache.ts).
  mkdirSync(join(dir, "cache"), { recursive: true, mode: 0o700 });
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    AST_AGI_DIR: "/var/lib/asterisk/agi-bin",
    IVR_CONFIG: writeBenchConfig(dir),
    IVR_CACHE_DIR: join(dir, "cache"),
    IVR_DB: join(dir, "ivr.sqlite"),
  };
}

export function parseDrive(line: string | undefined, what: string): Drive {
  const fields = (line ?? "").trim().split(" ").map(Number);
  if (fields.length !== 7 || fields.some((x) => !Number.isFinite(x))) throw new Error(`agi-drive gave no result for ${what}: ${JSON.stringify(line)}`);
  const [first, released, exited, commands, rc, peakKib, cpuMs] = fields as [number, number, number, number, number, number, number];
  return { first, released, exited, commands, rc, peakKib, cpuMs };
}

async function drive(driver: string, program: string, env: Record<string, string>): Promise<Drive> {
  const proc = spawnTracked([driver, program], { env, stdin: "ignore", stdout: "pipe", stderr: "inherit" });
  const out = await new Response(proc.stdout).text();
  await proc.exited;
  return parseDrive(out, program);
}

export interface PerCallRound extends Record<string, number> {
  ivrFirstMs: number;
  ivrReleasedMs: number;
  ivrExitedMs: number;
  ivrPeakKib: number;
  ivrCommands: number;
  ivrCpuMs: number;
  helloFirstMs: number;
  helloExitedMs: number;
  helloPeakKib: number;
  helloCpuMs: number;
}

export async function measurePerCall(driver: string, ivr: string, hello: string, dir: string, calls: number): Promise<PerCallRound> {
  const env = perCallEnv(dir);
  const ivrCall = async () => {
    const result = await drive(driver, ivr, env);
    if (result.rc !== 0 || result.commands < 5) throw new Error(`the per-call ivr failed: exit ${result.rc} after ${result.commands} commands`);
    return result;
  };
  for (let i = 0; i < 2; i++) await ivrCall(); // the config cache and the page cache warm
  const ivrRuns: Drive[] = [];
  const helloRuns: Drive[] = [];
  for (let i = 0; i < calls; i++) {
    ivrRuns.push(await ivrCall());
    helloRuns.push(await drive(driver, hello, env));
  }
  const mid = (runs: Drive[], field: keyof Drive) => median(runs.map((run) => run[field]));
  return {
    ivrFirstMs: mid(ivrRuns, "first"),
    ivrReleasedMs: mid(ivrRuns, "released"),
    ivrExitedMs: mid(ivrRuns, "exited"),
    ivrPeakKib: mid(ivrRuns, "peakKib"),
    ivrCommands: mid(ivrRuns, "commands"),
    ivrCpuMs: mid(ivrRuns, "cpuMs"),
    helloFirstMs: mid(helloRuns, "first"),
    helloExitedMs: mid(helloRuns, "exited"),
    helloPeakKib: mid(helloRuns, "peakKib"),
    helloCpuMs: mid(helloRuns, "cpuMs"),
  };
}
