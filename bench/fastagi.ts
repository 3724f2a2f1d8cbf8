/**
 * Rows 1 and 2: the FastAGI IVR path under load, `ivr serve` against the no-library ceiling
 * and ding-dong. Each server starts fresh, gets a 1 s warm-up, then 50 and 500 connections
 * of bench/peers/agi-load.ts (its own process: it must not share the server's event loop);
 * its peak memory is read from /proc after the 500-connection level. For `ivr serve` every
 * session the load generator completed must be a row in its history.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { BUN, freePort, jsonOutput, memoryKib, spawnTracked, stop, waitListening } from "./procs.ts";
import { writeBenchConfig } from "./product-config.ts";

export interface FastAgiServer {
  name: string;
  /** Starts listening on 127.0.0.1:port; `logFile` takes its stderr. */
  start(port: number, dir: string, logFile: string): Bun.Subprocess;
  /** Sessions the server recorded, read once it has stopped (only the product records). */
  recorded?(dir: string): number;
}

export function ivrServe(binary: string): FastAgiServer {
  return {
    name: "ivr serve",
    start: (port, dir, logFile) =>
      spawnTracked([binary, "serve", "--config", writeBenchConfig(dir), "--db", join(dir, "ivr.sqlite"), "--fastagi", `127.0.0.1:${port}`, "--http", "127.0.0.1:0"], {
        stdout: "ignore",
        stderr: Bun.file(logFile),
      }),
    recorded(dir) {
      const db = new Database(join(dir, "ivr.sqlite"), { readonly: true });
      try {
        return (db.query("select count(*) as n from calls where source = 'ivr'").get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
  };
}

export const ceiling: FastAgiServer = {
  name: "ceiling (raw Bun)",
  start: (port, _dir, logFile) => spawnTracked([BUN, join(import.meta.dir, "peers", "raw-bun-ivr.ts"), String(port)], { stdout: "ignore", stderr: Bun.file(logFile) }),
};

export function dingDong(node: string, nodePath: string): FastAgiServer {
  return {
    name: "ding-dong (Node)",
    start: (port, _dir, logFile) =>
      spawnTracked([node, join(import.meta.dir, "peers", "dingdong-ivr.cjs"), String(port)], {
        env: { ...process.env, NODE_PATH: nodePath },
        stdout: "ignore",
        stderr: Bun.file(logFile),
      }),
  };
}

interface LoadResult {
  secs: number;
  sessions: number;
  commands: number;
  cmd_p99_ms: string;
  errors: number;
}

async function load(port: number, connections: number, seconds: number) {
  const proc = spawnTracked([BUN, join(import.meta.dir, "peers", "agi-load.ts"), "127.0.0.1", String(port), String(connections), String(seconds), "ivr"], { stdout: "pipe", stderr: "inherit" });
  const result = await jsonOutput<LoadResult>(proc, `agi-load at ${connections} connections`);
  return {
    commandsPerSecond: result.commands / result.secs,
    sessionsPerSecond: result.sessions / result.secs,
    commandsPerSession: result.commands / Math.max(1, result.sessions),
    p99: Number(result.cmd_p99_ms),
    sessions: result.sessions,
    errors: result.errors,
  };
}

export interface FastAgiRound extends Record<string, number> {
  commandsPerSecond50: number;
  p99Ms50: number;
  /** VmHWM after the warm-up and the 50-connection level. */
  peakKib50: number;
  commandsPerSecond500: number;
  p99Ms500: number;
  /** VmHWM after the 500-connection level, and VmRSS then. */
  peakKib500: number;
  rssKib500: number;
  /** The same after BENCH_LONG's 60 s at 500 connections (NaN without it). */
  peakKibLong: number;
  rssKibLong: number;
  /** Sessions per second at 50 connections, and the commands of one session (scripts differ in length). */
  sessionsPerSecond50: number;
  commandsPerSession: number;
  sessions: number;
  errors: number;
  /** Rows in the history once stopped (NaN for peers). */
  recorded: number;
}

export async function measureFastAgi(server: FastAgiServer, dir: string, seconds: number, long: boolean): Promise<FastAgiRound> {
  const port = await freePort();
  const logFile = join(dir, "server.log");
  const proc = server.start(port, dir, logFile);
  try {
    await waitListening(proc, port, server.name, logFile);
    const warm = await load(port, 50, 1);
    const at50 = await load(port, 50, seconds);
    const mem50 = memoryKib(proc.pid);
    const at500 = await load(port, 500, seconds);
    const mem500 = memoryKib(proc.pid);
    const longRun = long ? await load(port, 500, 60) : undefined;
    const memLong = long ? memoryKib(proc.pid) : { hwm: Number.NaN, rss: Number.NaN };
    const runs = [warm, at50, at500, ...(longRun ? [longRun] : [])];
    await stop(proc, 30_000);
    return {
      commandsPerSecond50: at50.commandsPerSecond,
      p99Ms50: at50.p99,
      peakKib50: mem50.hwm,
      commandsPerSecond500: at500.commandsPerSecond,
      p99Ms500: at500.p99,
      peakKib500: mem500.hwm,
      rssKib500: mem500.rss,
      peakKibLong: memLong.hwm,
      rssKibLong: memLong.rss,
      sessionsPerSecond50: at50.sessionsPerSecond,
      commandsPerSession: at50.commandsPerSession,
      sessions: runs.reduce((sum, run) => sum + run.sessions, 0),
      errors: runs.reduce((sum, run) => sum + run.errors, 0),
      recorded: server.recorded ? server.recorded(dir) : Number.NaN,
    };
  } finally {
    await stop(proc, 1000);
  }
}
