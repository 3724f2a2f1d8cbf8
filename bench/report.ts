/**
 * The issue's table: one row per measure with the product's median, the peer's, their ratio,
 * the goal and whether it is met. Printed as markdown (pasteable into the README) and kept
 * as data for .bench/results.json.
 */
import type { FastAgiRound } from "./fastagi.ts";
import type { PerCallMemoryRound } from "./per-call-memory.ts";
import type { PerCallRound } from "./per-call.ts";
import type { SmartRound } from "./smart.ts";
import { mib, ms, rate, ratio } from "./stats.ts";

/** Medians over the rounds; a missing entry was not measured (a tool missing, or it failed). */
export interface Figures {
  fastagi: { ivr?: FastAgiRound; ceiling?: FastAgiRound; dingDong?: FastAgiRound };
  /** Sessions the load generator completed against `ivr serve` over all rounds, and the rows recorded. */
  recorded?: { sessions: number; rows: number };
  smart: { ivr?: SmartRound; hono?: SmartRound };
  perCall?: PerCallRound;
  memory?: PerCallMemoryRound;
  long: boolean;
  concurrent: number;
}

export interface Row {
  measure: string;
  ivr: string;
  peer: string;
  ratio: string;
  goal: string;
  /** undefined: not measured, or no pass/fail goal. */
  met: boolean | undefined;
}

/** The seed's FastAPI + uvicorn getcustomerdata, measured once on these machines; it cannot run here. */
export const FASTAPI_QUOTED = { requestsPerSecond: 792, p99Ms: 142 };

const div = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !b ? Number.NaN : a / b);
const check = (value: number | undefined, ok: (v: number) => boolean) => (value !== undefined && Number.isFinite(value) ? ok(value) : undefined);

/** From how many concurrent calls one `ivr serve` (its peak RSS at a measured concurrency) needs less memory than per-call processes. */
export function breakEven(peaks: [connections: number, kib: number][], pssPerCallKib: number): number | undefined {
  const candidates = peaks
    .filter(([, kib]) => Number.isFinite(kib) && pssPerCallKib > 0)
    .map(([connections, kib]) => [connections, Math.ceil(kib / pssPerCallKib)] as const)
    .filter(([connections, calls]) => calls <= connections) // serve at `calls` <= connections uses at most its peak there
    .map(([, calls]) => calls);
  return candidates.length ? Math.min(...candidates) : undefined;
}

function fastagiRows({ ivr, ceiling, dingDong }: Figures["fastagi"], level: 50 | 500): Row[] {
  const cps = (r?: FastAgiRound) => (level === 50 ? r?.commandsPerSecond50 : r?.commandsPerSecond500);
  const p99 = (r?: FastAgiRound) => (level === 50 ? r?.p99Ms50 : r?.p99Ms500);
  const what = `FastAGI, ${level} conn.`;
  const vsCeiling = div(cps(ivr), cps(ceiling));
  const vsDingDong = div(cps(ivr), cps(dingDong));
  const p99Goal = level === 50 ? 3 : 25;
  return [
    { measure: `${what}: commands/s vs the ceiling`, ivr: rate(cps(ivr)), peer: `ceiling ${rate(cps(ceiling))}`, ratio: ratio(vsCeiling), goal: ">= 0.8x", met: check(vsCeiling, (r) => r >= 0.8) },
    { measure: `${what}: commands/s vs ding-dong`, ivr: rate(cps(ivr)), peer: `ding-dong ${rate(cps(dingDong))}`, ratio: ratio(vsDingDong), goal: ">= 2x", met: check(vsDingDong, (r) => r >= 2) },
    { measure: `${what}: command p99`, ivr: ms(p99(ivr)), peer: `ceiling ${ms(p99(ceiling))}, ding-dong ${ms(p99(dingDong))}`, ratio: "", goal: `<= ${p99Goal} ms`, met: check(p99(ivr), (v) => v <= p99Goal) },
  ];
}

function serveMemoryRows({ ivr, ceiling, dingDong }: Figures["fastagi"], long: boolean): Row[] {
  const peaks: [string, (r?: FastAgiRound) => number | undefined][] = [["500 conn.", (r) => r?.peakKib500]];
  if (long) peaks.push(["after 60 s more at 500 conn.", (r) => r?.peakKibLong]);
  return peaks.map(([when, peak]) => {
    const vs = div(peak(ivr), peak(dingDong));
    return {
      measure: `\`ivr serve\` peak RSS, ${when}`,
      ivr: mib(peak(ivr)),
      peer: `ding-dong ${mib(peak(dingDong))}, ceiling ${mib(peak(ceiling))}`,
      ratio: Number.isFinite(vs) ? `${ratio(vs)} ding-dong` : "n/a",
      goal: "<= 1.5x ding-dong",
      met: check(vs, (r) => r <= 1.5),
    };
  });
}

function smartRows({ ivr, hono }: Figures["smart"]): Row[] {
  const vsHono = div(ivr?.requestsPerSecond, hono?.requestsPerSecond);
  return [
    { measure: "getcustomerdata, 64 conn.: req/s", ivr: rate(ivr?.requestsPerSecond), peer: `minimal Hono ${rate(hono?.requestsPerSecond)}`, ratio: ratio(vsHono), goal: ">= 0.5x", met: check(vsHono, (r) => r >= 0.5) },
    { measure: "getcustomerdata, 64 conn.: p99", ivr: ms(ivr?.p99Ms), peer: `minimal Hono ${ms(hono?.p99Ms)}`, ratio: "", goal: "<= 10 ms", met: check(ivr?.p99Ms, (v) => v <= 10) },
    {
      measure: "getcustomerdata: the seed's FastAPI (quoted)",
      ivr: rate(ivr?.requestsPerSecond),
      peer: `FastAPI ${FASTAPI_QUOTED.requestsPerSecond} (p99 ${FASTAPI_QUOTED.p99Ms} ms)`,
      ratio: ratio(div(ivr?.requestsPerSecond, FASTAPI_QUOTED.requestsPerSecond)),
      goal: "reference",
      met: undefined,
    },
  ];
}

function perCallRows(p: PerCallRound | undefined): Row[] {
  const start = p?.helloExitedMs;
  const hello = `hello ${ms(start)}`;
  const first = div(p?.ivrFirstMs, start);
  const release = div(p?.ivrReleasedMs, start);
  return [
    { measure: "per call: spawn to first command", ivr: ms(p?.ivrFirstMs), peer: hello, ratio: ratio(first), goal: "<= 1.5x", met: check(first, (r) => r <= 1.5) },
    { measure: "per call: spawn to release", ivr: ms(p?.ivrReleasedMs), peer: hello, ratio: ratio(release), goal: "<= 2x", met: check(release, (r) => r <= 2) },
    { measure: "per call: spawn to exit", ivr: ms(p?.ivrExitedMs), peer: hello, ratio: ratio(div(p?.ivrExitedMs, start)), goal: "", met: undefined },
    { measure: "per call: CPU time (user + system)", ivr: ms(p?.ivrCpuMs), peer: `hello ${ms(p?.helloCpuMs)}`, ratio: ratio(div(p?.ivrCpuMs, p?.helloCpuMs)), goal: "", met: undefined },
    { measure: "per call: peak RSS", ivr: mib(p?.ivrPeakKib), peer: `hello ${mib(p?.helloPeakKib)}`, ratio: ratio(div(p?.ivrPeakKib, p?.helloPeakKib)), goal: "<= 30 MiB", met: check(p?.ivrPeakKib, (v) => v <= 30 * 1024) },
  ];
}

function heldMemoryRows(m: PerCallMemoryRound | undefined, concurrent: number): Row[] {
  // ivr serve holding the same calls in EXEC Queue: it uses at most that for fewer calls.
  const even = m ? breakEven([[concurrent, m.servePssKib]], m.ivrPssKib) : undefined;
  return [
    {
      measure: `per call, ${concurrent} held in a queue: PSS each`,
      ivr: mib(m?.ivrPssKib),
      peer: m ? `hello ${mib(m.helloPssKib)} (ivr +${mib(m.ivrPssKib - m.helloPssKib)})` : "hello n/a",
      ratio: ratio(div(m?.ivrPssKib, m?.helloPssKib)),
      goal: "as close to hello as Bun allows",
      met: undefined,
    },
    {
      measure: "FastAGI needs less memory than per-call from",
      ivr: m ? (even === undefined ? `> ${concurrent} calls` : `${even} calls`) : "n/a",
      peer: m ? `ivr serve ${mib(m.servePssKib)} PSS holding ${concurrent} calls in EXEC Queue` : "",
      ratio: "",
      goal: "",
      met: undefined,
    },
  ];
}

export function rows(f: Figures): Row[] {
  const recorded: Row = {
    measure: "FastAGI: completed sessions in the history",
    ivr: f.recorded ? `${f.recorded.rows} of ${f.recorded.sessions}` : "n/a",
    peer: "",
    ratio: "",
    goal: "all",
    met: f.recorded ? f.recorded.rows === f.recorded.sessions : undefined,
  };
  return [
    ...fastagiRows(f.fastagi, 50),
    ...fastagiRows(f.fastagi, 500),
    recorded,
    ...serveMemoryRows(f.fastagi, f.long),
    ...smartRows(f.smart),
    ...perCallRows(f.perCall),
    ...heldMemoryRows(f.memory, f.concurrent),
  ];
}

export function markdown(table: Row[]): string {
  const verdict = (row: Row) => (row.met !== undefined ? (row.met ? "met" : "**missed**") : row.ivr === "n/a" ? "not measured" : "");
  const cells = table.map((row) => [row.measure, row.ivr, row.peer, row.ratio, row.goal, verdict(row)]);
  const header = ["measure", "`ivr`", "peer", "ratio", "goal", ""];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(" | ")} |`;
  return [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...cells.map(line)].join("\n");
}

/** What each row measures, printed under the table (and meant for the README beside it). */
export const NOTES = `- FastAGI: the compiled \`ivr serve\` with a DID menu whose key 1 is a queue, every call recorded
  in its SQLite history; bench/peers/agi-load.ts plays Asterisk on N connections, back-to-back
  sessions (the caller presses 1 during the welcome, the queue answers). Scripts differ in length
  (ivr ~13 commands, the peers 7), so servers are compared in commands/s; p99 is per command
  (our reply to the server's next command). Ceiling: bench/peers/raw-bun-ivr.ts, Bun.listen with
  no library and a fixed script. ding-dong: the same IVR path on ding-dong under Node.
- Peak RSS: VmHWM from /proc/PID/status of each fresh server after a 1 s warm-up and the 50- and
  500-connection levels.
- getcustomerdata: wrk -t2 -c64 with bench/peers/getcustomerdata.lua (200,000 known callers),
  \`ivr serve\` with 1,000,000 calls of history, the token checked, /metrics counting, every
  decision logged, cache_ttl_seconds: 0; the peer: Hono + bun:sqlite, one indexed query on its own
  million rows. The FastAPI figure is quoted from issue 10 (the seed's stack cannot run here).
- Per call: bench/peers/agi-drive.c plays Asterisk for one agi-bin call (key 1, queue answered),
  config unchanged since the last call (cached). Release = our stdout closed, Asterisk continues.
  "hello": a compiled Bun program that prints a line and exits, run by the same driver; its spawn
  to exit is the start every per-call program pays.
- PSS: Pss from /proc/PID/smaps_rollup summed over N concurrent processes, divided by N: per-call
  ivr held inside EXEC Queue (config cached), against compiled "hello" processes blocked on stdin.
  FastAGI's break-even: the fewest concurrent calls whose per-call PSS exceeds the PSS of one
  \`ivr serve\` holding the same N calls inside EXEC Queue over FastAGI.`;

export interface Report {
  machine: { line: string; loadAtStart: number; loadAtEnd: number; node?: string | undefined; peers: { dingDong?: string | undefined; wrk?: string | undefined } };
  rounds: number;
  table: Row[];
  figures: Figures;
  servers: Partial<Record<keyof Figures["fastagi"], { name: string }>>;
  inserts?: { perCall: number; batched: number } | undefined;
  extras: Record<string, { title: string; output: string; error?: string }>;
  skipped: Record<string, string>;
  errors: string[];
}

export function printReport(r: Report): void {
  const { machine } = r;
  console.log(`\n## ivr beside its peers (medians of ${r.rounds} interleaved rounds)\n`);
  console.log(`Machine: ${machine.line}; load average ${machine.loadAtStart.toFixed(2)} at start, ${machine.loadAtEnd.toFixed(2)} at the end.`);
  console.log(`Peers: ding-dong ${machine.peers.dingDong ?? "not installed"} on Node ${machine.node ?? "(missing)"}; ${machine.peers.wrk ?? "wrk missing"}.\n`);
  console.log(markdown(r.table));
  console.log(`\n${NOTES}`);
  console.log("\nFastAGI servers (medians):\n");
  console.log("| server | sessions/s at 50 | commands/session | commands/s at 50 | p99 at 50 | commands/s at 500 | p99 at 500 | peak RSS at 50 / 500 | errors |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const key of ["ivr", "ceiling", "dingDong"] as const) {
    const m = r.figures.fastagi[key];
    const name = r.servers[key]?.name;
    if (m && name) {
      console.log(`| ${name} | ${rate(m.sessionsPerSecond50)} | ${m.commandsPerSession.toFixed(1)} | ${rate(m.commandsPerSecond50)} | ${ms(m.p99Ms50)} | ${rate(m.commandsPerSecond500)} | ${ms(m.p99Ms500)} | ${mib(m.peakKib50)} / ${mib(m.peakKib500)} | ${m.errors} |`);
    }
  }
  if (r.inserts) console.log(`\nHistory inserts: ${rate(r.inserts.perCall)} rows/s one per transaction (as per-call processes write), ${rate(r.inserts.batched)} rows/s batched (as ivr serve writes).`);
  for (const extra of Object.values(r.extras)) console.log(`\n## ${extra.title}\n\n${extra.output.trim()}${extra.error ? `\n(${extra.error})` : ""}`);
  for (const [what, why] of Object.entries(r.skipped)) console.log(`\nNot measured: ${what}: ${why}`);
  for (const error of r.errors) console.log(`\nFAILED: ${error}`);
}
