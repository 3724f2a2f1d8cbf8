/**
 * `bun run bench`: figures for the README's performance section. Numbers depend on the
 * machine; the core count and versions are printed with them.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../scripts/build.ts";
import { oneStdinSession, startupOnly } from "./binary.ts";
import { loadFastAgi } from "./fastagi.ts";
import { ms, summary } from "./stats.ts";

const ROOT = join(import.meta.dir, "..");
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

console.log(`ivr benchmark: ${cpus().length} cores (${cpus()[0]?.model ?? "unknown CPU"}), Bun ${Bun.version}, ${process.platform}-${process.arch}`);

// FastAGI: the server in its own process, a 10-command session per call.
const server = Bun.spawn([process.execPath, join(import.meta.dir, "fastagi-target.ts")], { stdout: "pipe", stderr: "inherit" });
const reader = server.stdout.getReader();
const first = new TextDecoder().decode((await reader.read()).value);
const port = Number(/PORT (\d+)/.exec(first)?.[1]);
if (!port) throw new Error(`the FastAGI target did not start: ${first}`);

console.log(`\nFastAGI, 10-command sessions, ${SECONDS} s per level (load generator and server share the machine)`);
console.log("connections | sessions/s | command p50 | command p99 | sessions");
for (const connections of [1, 50, 500]) {
  const result = await loadFastAgi(port, connections, SECONDS);
  const latency = summary(result.latencies);
  console.log(
    `${String(connections).padStart(11)} | ${result.sessionsPerSecond.toFixed(0).padStart(10)} | ${ms(latency.p50).padStart(11)} | ${ms(latency.p99).padStart(11)} | ${result.sessions}`,
  );
}
server.kill("SIGTERM");
await server.exited;

// The per-call path: the compiled binary, as Asterisk runs it from agi-bin, with the sample
// config. "cached": the config file is unchanged since the last call (the usual case);
// "parsed": it changed, so this call loads the YAML parser and validates.
const binary = await buildBinary(join(ROOT, ".bench", "ivr"));
const size = statSync(binary).size;
const cacheDir = mkdtempSync(join(tmpdir(), "ivr-bench-cache-"));
const env = { IVR_CONFIG: join(ROOT, "config", "ivr.yaml"), IVR_CACHE_DIR: cacheDir };
for (let i = 0; i < 3; i++) await oneStdinSession(binary, env); // warm the page cache and the config cache
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const cached: number[] = [];
const parsed: number[] = [];
const startups: number[] = [];
let commands = 0;
for (let i = 0; i < RUNS; i++) {
  const [ms, count] = await oneStdinSession(binary, env);
  cached.push(ms);
  commands = count;
  rmSync(cacheDir, { recursive: true, force: true });
  parsed.push((await oneStdinSession(binary, env))[0]);
  startups.push(await startupOnly(binary));
}
const row = (label: string, samples: number[]) => {
  const s = summary(samples);
  console.log(`${label.padEnd(44)} p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`);
};
console.log(`\nCompiled binary: ${(size / 1024 / 1024).toFixed(1)} MiB; ${RUNS} runs each, spawn to exit`);
row(`IVR call over stdin (${commands} commands), config cached`, cached);
row(`IVR call over stdin, config changed (parsed)`, parsed);
row("`ivr version`", startups);
