/**
 * Processes the benchmark starts: free ports, waiting until a server listens, memory from
 * /proc, and a registry that kills whatever is still running when the benchmark ends, however
 * it ends (normal exit, an exception, Ctrl-C).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..");
export const WORK = join(ROOT, ".bench");
/** The project's Bun (node_modules/.bin/bun): the Bun peers and load generators run on it. */
export const BUN = join(ROOT, "node_modules", ".bin", "bun");

const running = new Set<Bun.Subprocess>();

export function spawnTracked<
  const In extends Bun.SpawnOptions.Writable = "ignore",
  const Out extends Bun.SpawnOptions.Readable = "pipe",
  const Err extends Bun.SpawnOptions.Readable = "inherit",
>(cmd: string[], options: Bun.SpawnOptions.SpawnOptions<In, Out, Err>): Bun.Subprocess<In, Out, Err> {
  const proc = Bun.spawn(cmd, options);
  running.add(proc);
  void proc.exited.then(() => running.delete(proc));
  return proc;
}

export function killAll(): void {
  for (const proc of running) proc.kill("SIGKILL");
  running.clear();
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

/** A port nobody listens on now (the kernel picks it; a tiny race with other programs remains). */
export async function freePort(): Promise<number> {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/** True when something listens on 127.0.0.1:port: read from /proc/net/tcp, without connecting (a probe would be a session). */
function listening(port: number): boolean {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  return readFileSync("/proc/net/tcp", "utf8")
    .split("\n")
    .some((line) => {
      const fields = line.trim().split(/\s+/);
      return fields[1] === local && fields[3] === "0A";
    });
}

export async function waitListening(proc: Bun.Subprocess, port: number, what: string, logFile?: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!listening(port)) {
    const log = () => (logFile && existsSync(logFile) ? `:\n${readFileSync(logFile, "utf8").slice(-2000)}` : "");
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`${what} exited before listening on ${port}${log()}`);
    if (performance.now() > deadline) throw new Error(`${what} did not listen on ${port} within ${timeoutMs / 1000} s${log()}`);
    await Bun.sleep(20);
  }
}

/** Stops a server: SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
export async function stop(proc: Bun.Subprocess, graceMs = 10_000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}

/** VmHWM (peak) and VmRSS (now) of a live process, in KiB. */
export function memoryKib(pid: number): { hwm: number; rss: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN);
  return { hwm: field("VmHWM"), rss: field("VmRSS") };
}

/** Proportional set size (shared pages split among the processes sharing them), in KiB. */
export function pssKib(pid: number): number {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? Number.NaN);
}

/** The last line of a process's stdout parsed as JSON, with a clear error otherwise. */
export async function jsonOutput<T>(proc: { stdout: ReadableStream<Uint8Array>; exited: Promise<number> }, what: string): Promise<T> {
  const [out, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  const last = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !last.startsWith("{")) throw new Error(`${what} failed (exit ${code}): ${out.slice(-500)}`);
  return JSON.parse(last) as T;
}

