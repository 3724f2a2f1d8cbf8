/**
 * Row 3: getcustomerdata with 1,000,000 calls of history, 64 connections, driven by wrk and
 * bench/peers/getcustomerdata.lua: the compiled `ivr serve` (token checked, metrics counted,
 * every decision logged, cache off) against the minimal Hono + bun:sqlite server doing the
 * same lookup on its own million rows. Before the load, one request checks that the server
 * really finds a known caller, so that a broken lookup cannot pass for a fast one.
 */
import { join } from "node:path";
import { BUN, freePort, spawnTracked, stop, WORK, waitListening } from "./procs.ts";
import { BENCH_TOKEN, writeBenchConfig } from "./product-config.ts";

export interface SmartServer {
  name: string;
  start(port: number, logFile: string): Bun.Subprocess;
}

/** `dir` holds the history (a copy of the million-call database) and the config. */
export function ivrServeSmart(binary: string, dir: string, db: string): SmartServer {
  const config = writeBenchConfig(dir);
  return {
    name: "ivr serve",
    start: (port, logFile) =>
      spawnTracked([binary, "serve", "--config", config, "--db", db, "--fastagi", "127.0.0.1:0", "--http", `127.0.0.1:${port}`], { stdout: "ignore", stderr: Bun.file(logFile) }),
  };
}

export const honoMinimal: SmartServer = {
  name: "minimal Hono + bun:sqlite",
  start: (port, logFile) =>
    spawnTracked([BUN, join(import.meta.dir, "peers", "hono-minimal-smart.ts")], {
      cwd: join(import.meta.dir, ".."), // where hono resolves
      env: { ...process.env, PORT: String(port), PROBE_DB: join(WORK, "hono-peer-1m.sqlite") },
      stdout: "ignore",
      stderr: Bun.file(logFile),
    }),
};

const PATH = "/api/callevent/getcustomerdata";

async function checkLookup(port: number, what: string): Promise<void> {
  const res = await fetch(`http://127.0.0.1:${port}${PATH}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Token: BENCH_TOKEN },
    body: JSON.stringify({ UniqueId: "1.0", Phone: "+375290000001", TrunkId: "0001363", LoadDialPlan: "true" }),
  });
  const body = (await res.json().catch(() => ({}))) as { DialPlan?: string | null };
  if (res.status !== 200 || !body.DialPlan) throw new Error(`${what} did not route a known caller: ${res.status} ${JSON.stringify(body)}`);
}

const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

async function wrk(wrkPath: string, port: number, seconds: number) {
  const proc = spawnTracked([wrkPath, "-t2", "-c64", `-d${seconds}s`, "--latency", "-s", join(import.meta.dir, "peers", "getcustomerdata.lua"), `http://127.0.0.1:${port}${PATH}`], {
    env: { ...process.env, IVR_BENCH_TOKEN: BENCH_TOKEN },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  const perSecond = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(out);
  if (code !== 0 || !perSecond || !p99) throw new Error(`wrk failed (exit ${code}):\n${out}${err}`);
  return {
    requestsPerSecond: Number(perSecond[1]),
    p99Ms: Number(p99[1]) * UNIT_MS[p99[2]!]!,
    non2xx: Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors:.*/.exec(out)?.[0] ?? "",
  };
}

export interface SmartRound extends Record<string, number> {
  requestsPerSecond: number;
  p99Ms: number;
  non2xx: number;
}

export async function measureSmart(server: SmartServer, wrkPath: string, dir: string, seconds: number): Promise<SmartRound> {
  const port = await freePort();
  const logFile = join(dir, `${server.name.replace(/\W+/g, "-")}.log`);
  const proc = server.start(port, logFile);
  try {
    await waitListening(proc, port, server.name, logFile, 180_000); // the Hono peer generates its million rows on first start
    await checkLookup(port, server.name);
    await wrk(wrkPath, port, 1); // warm-up
    const result = await wrk(wrkPath, port, seconds);
    if (result.socketErrors) console.error(`  ${server.name}: wrk ${result.socketErrors}`);
    return { requestsPerSecond: result.requestsPerSecond, p99Ms: result.p99Ms, non2xx: result.non2xx };
  } finally {
    await stop(proc, 10_000);
  }
}
