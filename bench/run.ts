/**
 * `bun run bench`: figures for the README's performance section. Numbers depend on the
 * machine; the core count and versions are printed with them.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../scripts/build.ts";
import { oneStdinSession, type StdinTiming, startupOnly } from "./binary.ts";
import { measureConfig, printConfigTimings } from "./config.ts";
import { loadFastAgi } from "./fastagi.ts";
import { insertRates, millionCallDb } from "./history.ts";
import { loadSmart } from "./smart.ts";
import { benchConfigYaml } from "./smart-target.ts";
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
const env = { IVR_CONFIG: join(ROOT, "config", "ivr.yaml"), IVR_CACHE_DIR: cacheDir, IVR_DB: join(cacheDir, "ivr.sqlite") };
for (let i = 0; i < 3; i++) await oneStdinSession(binary, env); // warm the page cache and the config cache
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const cached: StdinTiming[] = [];
const parsed: StdinTiming[] = [];
const startups: number[] = [];
for (let i = 0; i < RUNS; i++) {
  cached.push(await oneStdinSession(binary, env));
  rmSync(join(cacheDir, readdirSync(cacheDir).find((f) => f.startsWith("config-")) ?? "none"), { force: true });
  parsed.push(await oneStdinSession(binary, env));
  startups.push(await startupOnly(binary));
}
const row = (label: string, samples: number[]) => {
  const s = summary(samples);
  console.log(`${label.padEnd(58)} p50 ${ms(s.p50)}, p99 ${ms(s.p99)}`);
};
console.log(`\nCompiled binary: ${(size / 1024 / 1024).toFixed(1)} MiB; ${RUNS} runs each, from spawn`);
console.log(`IVR call over stdin (${cached[0]?.commands} commands: key 1, queue answered), the call recorded in SQLite:`);
row("  config unchanged (cached): Asterisk continues after", cached.map((t) => t.released));
row("  config unchanged (cached): the process exits after", cached.map((t) => t.exited));
row("  config changed (parsed): Asterisk continues after", parsed.map((t) => t.released));
row("`ivr version`", startups);
rmSync(cacheDir, { recursive: true, force: true });

printConfigTimings(measureConfig());

// Smart Redirect: the compiled ivr serve, a million calls in history, the cache off so every
// request reads the history (the usual case is faster: the same caller within cache_ttl_seconds).
const benchDir = join(ROOT, ".bench");
mkdirSync(benchDir, { recursive: true });
let generated = performance.now();
const millionDb = millionCallDb(benchDir);
generated = performance.now() - generated;
const serveDir = mkdtempSync(join(tmpdir(), "ivr-bench-serve-"));
const serveDb = join(serveDir, "ivr.sqlite");
Bun.spawnSync(["cp", millionDb, serveDb]);
const serveConfig = join(serveDir, "ivr.yaml");
writeFileSync(serveConfig, benchConfigYaml());
const serve = Bun.spawn([binary, "serve", "--config", serveConfig, "--db", serveDb, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], { stderr: "pipe", stdout: "ignore" });
const httpPort = await new Promise<number>((resolve, reject) => {
  let seen = "";
  void (async () => {
    // Keep reading stderr for the server's whole life: a closed pipe would fail its log writes.
    for await (const chunk of serve.stderr) {
      seen += new TextDecoder().decode(chunk);
      const match = /HTTP API listening on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (match) resolve(Number(match[1]));
    }
    reject(new Error(`ivr serve exited before listening:\n${seen}`));
  })();
});
const url = `http://127.0.0.1:${httpPort}/api/callevent/getcustomerdata`;
await loadSmart(url, 4, 0.5); // warm up
console.log(`\nSmart Redirect getcustomerdata, 1,000,000 calls in history${generated > 1000 ? ` (generated in ${(generated / 1000).toFixed(1)} s)` : ""}, cache off, ${SECONDS} s per level`);
console.log("(a fifth of the callers asked about are unknown, a fifth of the known never had an answered call: about 64% can be routed)");
console.log("connections | requests/s | p50 | p99 | routed | non-200");
for (const connections of [1, 64]) {
  const result = await loadSmart(url, connections, SECONDS);
  const latency = summary(result.latencies);
  console.log(
    `${String(connections).padStart(11)} | ${result.requestsPerSecond.toFixed(0).padStart(10)} | ${ms(latency.p50)} | ${ms(latency.p99)} | ${((100 * result.routed) / result.requests).toFixed(0)}% | ${result.failures}`,
  );
}
serve.kill("SIGTERM");
await serve.exited;
rmSync(serveDir, { recursive: true, force: true });

const rates = insertRates(benchDir);
console.log(`\nHistory inserts: ${rates.perCall.toFixed(0)} rows/s one per transaction (as per-call processes write), ${rates.batched.toFixed(0)} rows/s batched (as ivr serve writes)`);
