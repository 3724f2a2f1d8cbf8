/**
 * `bun run bench`: the compiled product beside its peers, interleaved over rounds (the
 * product, then each peer, then the product again...) so that a noisy machine hits all alike;
 * medians over the rounds; the table with ratios and goals. Settings from the
 * environment: BENCH_ROUNDS (3), BENCH_SECONDS per load level (5), BENCH_CALLS per-call runs
 * per round (20), BENCH_CONCURRENT held per-call processes (100), BENCH_LONG=1 adds 60 s at 500
 * connections per FastAGI server, BENCH_ONLY=fastagi,smart,per-call,memory,inserts,extras runs
 * only those parts (rows of the others print as not measured). Every figure goes to
 * .bench/results.json.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../scripts/build.ts";
import { runExtras } from "./extras.ts";
import { ceiling, dingDong, type FastAgiRound, type FastAgiServer, ivrServe, measureFastAgi } from "./fastagi.ts";
import { insertRates, millionCallDb } from "./history.ts";
import { describeMachine, peerVersions } from "./machine.ts";
import { measurePerCallMemory, type PerCallMemoryRound } from "./per-call-memory.ts";
import { measurePerCall, type PerCallRound } from "./per-call.ts";
import { WORK } from "./procs.ts";
import { type Figures, printReport, rows } from "./report.ts";
import { honoMinimal, ivrServeSmart, measureSmart, type SmartRound, type SmartServer } from "./smart.ts";
import { medians, mib, ms, rate } from "./stats.ts";
import { buildHello, compileDriver, installDingDong, Missing, requireWrk } from "./tools.ts";

function badSetting(message: string): never {
  console.error(`bun run bench: ${message}`);
  process.exit(2);
}
const PARTS = ["fastagi", "smart", "per-call", "memory", "inserts", "extras"] as const;
function onlyParts(list: string | undefined): (typeof PARTS)[number][] {
  if (!list) return [...PARTS];
  const parts = list.split(",").map((part) => part.trim());
  const unknown = parts.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length) badSetting(`BENCH_ONLY takes ${PARTS.join(", ")}; not ${unknown.join(", ")}`);
  return parts as (typeof PARTS)[number][];
}
const runs = (part: (typeof PARTS)[number]) => settings.only.includes(part);

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!(value > 0)) badSetting(`${name} must be a positive number, not "${process.env[name]}"`);
  return value;
};
const settings = {
  rounds: setting("BENCH_ROUNDS", 3),
  seconds: setting("BENCH_SECONDS", 5),
  calls: setting("BENCH_CALLS", 20),
  concurrent: setting("BENCH_CONCURRENT", 100),
  long: process.env.BENCH_LONG === "1",
  only: onlyParts(process.env.BENCH_ONLY),
};
const progress = (text: string) => console.error(`[${(performance.now() / 1000).toFixed(0).padStart(4)} s] ${text}`);
const skipped: Record<string, string> = {};
const errors: string[] = [];

/** Runs one step; a missing tool is noted as a reason to skip, any other failure as an error. Either way the run goes on. */
async function attempt<T>(what: string, step: () => T | Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Missing) skipped[what] = message;
    else errors.push(`${what}: ${message}`);
    progress(`${what}: ${error instanceof Missing ? "skipped" : "FAILED"}: ${message}`);
    return undefined;
  }
}

const machine = describeMachine();
console.log(`ivr benchmark: ${machine.line}; load average ${machine.loadAtStart.toFixed(2)} at start`);
console.log(`${settings.rounds} rounds, ${settings.seconds} s per load level, ${settings.calls} per-call runs per round, ${settings.concurrent} held per-call processes${settings.long ? ", +60 s at 500 connections" : ""}`);

mkdirSync(WORK, { recursive: true });
const runDir = mkdtempSync(join(WORK, "run-"));
process.on("exit", () => rmSync(runDir, { recursive: true, force: true })); // also after Ctrl-C or a crash
const scratch = (name: string) => mkdtempSync(join(runDir, `${name}-`));

progress("building the compiled ivr into .bench/ivr");
const binary = await buildBinary(join(WORK, "ivr"));
const perCallParts = runs("per-call") || runs("memory");
const driver = perCallParts ? await attempt("agi-drive (per-call rows)", compileDriver) : undefined;
const hello = perCallParts ? await attempt("compiled hello (per-call rows)", buildHello) : undefined;
const node = runs("fastagi") ? await attempt("ding-dong (FastAGI peer)", installDingDong) : undefined;
const wrk = runs("smart") ? await attempt("wrk (getcustomerdata rows)", requireWrk) : undefined;

const fastagiServers: Partial<Record<"ivr" | "ceiling" | "dingDong", FastAgiServer>> = runs("fastagi")
  ? { ivr: ivrServe(binary), ceiling, dingDong: node && dingDong(node.node, node.nodePath) }
  : {};
let smartServers: Partial<Record<"ivr" | "hono", SmartServer>> = {};
if (wrk) {
  progress("the million-call history (generated once into .bench/)");
  const db = join(runDir, "smart-ivr.sqlite");
  copyFileSync(millionCallDb(WORK), db); // a copy: the product writes its decisions into it
  smartServers = { ivr: ivrServeSmart(binary, runDir, db), hono: honoMinimal };
}

const fastagi: Record<string, FastAgiRound[]> = {};
const smart: Record<string, SmartRound[]> = {};
const perCall: PerCallRound[] = [];
const memory: PerCallMemoryRound[] = [];
for (let round = 1; round <= settings.rounds; round++) {
  for (const [key, server] of Object.entries(fastagiServers)) {
    if (!server) continue;
    progress(`round ${round}: FastAGI ${server.name}`);
    const result = await attempt(`round ${round} FastAGI ${server.name}`, () => measureFastAgi(server, scratch(key), settings.seconds, settings.long));
    if (!result) continue;
    (fastagi[key] ??= []).push(result);
    progress(`  ${rate(result.commandsPerSecond50)} / ${rate(result.commandsPerSecond500)} commands/s at 50 / 500, p99 ${ms(result.p99Ms50)} / ${ms(result.p99Ms500)}, peak ${mib(result.peakKib500)}`);
  }
  for (const [key, server] of Object.entries(smartServers)) {
    progress(`round ${round}: getcustomerdata ${server.name}`);
    const result = await attempt(`round ${round} getcustomerdata ${server.name}`, () => measureSmart(server, wrk!, runDir, settings.seconds));
    if (!result) continue;
    (smart[key] ??= []).push(result);
    progress(`  ${rate(result.requestsPerSecond)} req/s, p99 ${ms(result.p99Ms)}`);
  }
  if (driver && hello && runs("per-call")) {
    progress(`round ${round}: per call, ivr and hello alternately`);
    const calls = await attempt(`round ${round} per call`, () => measurePerCall(driver, binary, hello.print, scratch("per-call"), settings.calls));
    if (calls) perCall.push(calls);
  }
  if (driver && hello && runs("memory")) {
    progress(`round ${round}: ${settings.concurrent} per-call ivr held in a queue, then ${settings.concurrent} hello`);
    const held = await attempt(`round ${round} per-call memory`, () => measurePerCallMemory(driver, binary, hello.stdin, scratch("held"), settings.concurrent));
    if (held) memory.push(held);
  }
}

if (runs("inserts")) progress("history inserts");
const inserts = runs("inserts") ? await attempt("history inserts", () => insertRates(runDir)) : undefined;
if (runs("extras")) progress("other benchmarks (bench/extras.ts)");
const extras = runs("extras") ? await runExtras({ seconds: settings.seconds, rounds: settings.rounds, binary }) : {};

const median = <T extends Record<string, number>>(list: T[] | undefined) => (list?.length ? medians(list) : undefined);
const ivrRounds = fastagi.ivr ?? [];
const figures: Figures = {
  fastagi: { ivr: median(fastagi.ivr), ceiling: median(fastagi.ceiling), dingDong: median(fastagi.dingDong) },
  recorded: ivrRounds.length ? { sessions: ivrRounds.reduce((n, r) => n + r.sessions, 0), rows: ivrRounds.reduce((n, r) => n + r.recorded, 0) } : undefined,
  smart: { ivr: median(smart.ivr), hono: median(smart.hono) },
  perCall: median(perCall),
  memory: median(memory),
  long: settings.long,
  concurrent: settings.concurrent,
};
const table = rows(figures);
const finished = { ...machine, loadAtEnd: loadavg()[0]!, peers: peerVersions() };
printReport({ machine: finished, rounds: settings.rounds, table, figures, servers: fastagiServers, inserts, extras, skipped, errors });

const results = { machine: finished, settings, figures, rows: table, rounds: { fastagi, smart, perCall, memory }, historyInserts: inserts, extras, skipped, errors };
writeFileSync(join(WORK, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nEvery figure: ${join(WORK, "results.json")}`);
if (errors.length) process.exitCode = 1;
