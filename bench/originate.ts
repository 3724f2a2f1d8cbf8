/**
 * Outbound calls through the compiled `ivr serve` against a fake Asterisk in its own thread:
 * 1. POST /api/originate from 64 concurrent clients (keep-alive, each a new valid number)
 *    offering BENCH_ORIGINATE_OFFERED requests per second in all (the trunk's calls per
 *    second): the 202's latency (p50, p99; the goal is p99 under 5 ms), while the dialer
 *    places the accepted calls and the tracker follows them; then the API's ceiling.
 * 2. A campaign of 10,000 numbers (BENCH_ORIGINATE_NUMBERS) at BENCH_ORIGINATE_RATE (100) calls
 *    per second: the pace Asterisk sees (the Originates' arrival times; the deviation from the
 *    configured rate and the interval jitter printed) and the daemon's memory along the way.
 * `bun bench/originate.ts` runs it alone; `bun run bench` among its extras (bench/extras.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildBinary } from "../scripts/build.ts";
import { freePort, memoryKib, spawnTracked, stop, waitListening } from "./procs.ts";
import { median, ms, percentile } from "./stats.ts";

const ADMIN = "bench-admin-token-0123456789";
const CLIENTS = 64;
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const numbers = Number(process.env.BENCH_ORIGINATE_NUMBERS ?? 10_000);
const rate = Number(process.env.BENCH_ORIGINATE_RATE ?? 100);
/** Originate requests per second offered to the API in all: a busy PBX's rate, and a stress (the trunk takes the highest). */
const offeredRates = (process.env.BENCH_ORIGINATE_OFFERED ?? "100,500").split(",").map(Number);
const offered = Math.max(...offeredRates);

const worker = new Worker(new URL("./originate-target.ts", import.meta.url).href);
const replies: Array<(data: Record<string, any>) => void> = [];
worker.onmessage = (message: MessageEvent<Record<string, any>>) => replies.shift()?.(message.data);
const reply = () => new Promise<Record<string, any>>((resolve) => replies.push(resolve));
const { port: amiPort } = await reply();

const dir = mkdtempSync(join(tmpdir(), "ivr-bench-originate-"));
const binary = process.env.BENCH_BINARY ?? (await buildBinary(join(dir, "ivr")));
const mobile = (n: number) => `+37529${String(n % 10_000_000).padStart(7, "0")}`;

function configYaml(): string {
  return `country: BY
server:
  admin_token: ${ADMIN}
ami:
  host: 127.0.0.1
  port: ${amiPort}
  username: ivr
  secret: s3cret-ami
  trunk_pattern: ^PJSIP/bench-
outbound:
  trunks:
    bench:
      dial: PJSIP/{number}@bench
      max_concurrent: "10000"
      calls_per_second: "${offered}"
  campaigns:
    paced:
      sound: campaigns/message
      concurrency: "1000"
      calls_per_second: "${rate}"
`;
}

async function startServe(name: string) {
  const http = await freePort();
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, configYaml());
  const logFile = join(dir, `${name}.log`);
  const proc = spawnTracked([binary, "serve", "--config", config, "--db", join(dir, `${name}.sqlite`), "--fastagi", "127.0.0.1:0", "--http", `127.0.0.1:${http}`, "--log-level", "warn"], {
    stdout: "ignore",
    stderr: Bun.file(logFile),
  });
  await waitListening(proc, http, "ivr serve", logFile);
  const base = `http://127.0.0.1:${http}`;
  for (;;) {
    const health = (await (await fetch(`${base}/health`)).json()) as { outbound?: { state: string } };
    if (health.outbound?.state === "ready") break;
    await Bun.sleep(20);
  }
  return { proc, base };
}

const headers = { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" };

/**
 * 64 clients sending `perSecond` requests in all, each on its own schedule (open loop, as
 * people clicking and CRMs calling do): the latency of each 202 is taken from the moment the
 * request was due, so a server falling behind cannot hide it (no coordinated omission).
 */
async function originateLoad(base: string, forSeconds: number, perSecond: number, first: number) {
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let next = first;
  const start = performance.now() + 50;
  const every = (CLIENTS * 1000) / perSecond;
  const count = Math.floor((forSeconds * perSecond) / CLIENTS);
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = 0; i < count; i++) {
        const due = start + (client * every) / CLIENTS + i * every;
        const wait = due - performance.now();
        if (wait > 0) await Bun.sleep(wait);
        const body = JSON.stringify({ kind: "callback", to: mobile(next++), queue: "10001" });
        const response = await fetch(`${base}/api/originate`, { method: "POST", headers, body });
        await response.arrayBuffer();
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        if (response.status === 202) latencies.push(performance.now() - due);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), statuses };
}

/** 64 clients each POSTing as soon as the previous answer came (closed loop): how many the server takes at most. */
async function saturation(base: string, forSeconds: number, first: number): Promise<number> {
  let done = 0;
  let next = first;
  const until = performance.now() + forSeconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const response = await fetch(`${base}/api/originate`, { method: "POST", headers, body: JSON.stringify({ kind: "callback", to: mobile(next++), queue: "10001", not_before: "2100-01-01T00:00:00Z" }) });
        await response.arrayBuffer();
        if (response.status === 202) done++;
      }
    }),
  );
  return done / forSeconds;
}

console.log(`Outbound calls: the compiled ivr serve, a fake Asterisk (its own thread) answering every Originate with a recorded call`);
const api = await startServe("api");
await originateLoad(api.base, 1, offeredRates[0]!, 0); // warm-up
const loads: Array<{ perSecond: number; p50: number; p99: number; accepted: number; statuses: Record<number, number> }> = [];
for (const [i, perSecond] of offeredRates.entries()) {
  const load = await originateLoad(api.base, seconds, perSecond, 1_000_000 * (i + 1));
  const p50 = percentile(load.latencies, 50);
  const p99 = percentile(load.latencies, 99);
  loads.push({ perSecond, p50, p99, accepted: load.latencies.length, statuses: load.statuses });
  console.log(
    `POST /api/originate, ${CLIENTS} concurrent clients sending ${perSecond}/s in all for ${seconds} s (each accepted call then placed and followed): ${load.latencies.length} answered 202, p50 ${ms(p50)}, p99 ${ms(p99)} (goal: p99 under 5 ms: ${p99 < 5 ? "met" : "missed"}); statuses ${JSON.stringify(load.statuses)}`,
  );
}
// Calls for later (not_before far away): the queue takes them, nothing is dialled.
const ceiling = await saturation(api.base, Math.min(seconds, 3), 5_000_000);
console.log(`the most the API takes, ${CLIENTS} clients each sending as soon as answered (calls for later): ${Math.round(ceiling)} requests/s`);
await stop(api.proc);

worker.postMessage({ outcome: "busy" });
const campaign = await startServe("campaign");
const list = Array.from({ length: numbers }, (_, i) => mobile(2_000_000 + i));
const upload = (await (await fetch(`${campaign.base}/api/campaigns/paced/numbers`, { method: "POST", headers, body: JSON.stringify({ numbers: list }) })).json()) as { added: number };
worker.postMessage({ arrivals: true });
await reply(); // forget the arrivals so far
await fetch(`${campaign.base}/api/campaigns/paced/start`, { method: "POST", headers });
const rss: number[] = [];
const startedAt = performance.now();
for (;;) {
  await Bun.sleep(1000);
  rss.push(memoryKib(campaign.proc.pid).rss);
  const progress = (await (await fetch(`${campaign.base}/api/campaigns/paced`, { headers })).json()) as { state: string };
  if (progress.state === "done") break;
  if (performance.now() - startedAt > (numbers / rate) * 3000 + 60_000) throw new Error("the campaign did not finish in three times its planned time");
}
worker.postMessage({ arrivals: true });
const { arrivals } = (await reply()) as { arrivals: number[] };
await stop(campaign.proc);

const span = (arrivals.at(-1)! - arrivals[0]!) / 1000;
const measured = (arrivals.length - 1) / span;
const deviation = ((measured - rate) / rate) * 100;
const intervals = arrivals.slice(1).map((t, i) => t - arrivals[i]!).sort((a, b) => a - b);
const jitter = intervals.map((interval) => Math.abs(interval - 1000 / rate)).sort((a, b) => a - b);
// The tracker keeps its live feed (20,000 events, 300 s) and the uniqueids of ended channels
// (a minute, 20,000): memory grows until those are full, about 70 s into a campaign at 100
// calls per second, then stays. Flat means: the last 30% adds nothing.
const tail = Math.floor(rss.length * 0.7);
const window = Math.max(1, Math.floor(rss.length * 0.05));
const rssEarly = median(rss.slice(tail, tail + window));
const rssLate = median(rss.slice(-window));
const series = Array.from({ length: 10 }, (_, i) => rss[Math.min(rss.length - 1, Math.floor(((i + 1) * rss.length) / 10) - 1)]!);
console.log(
  `campaign of ${upload.added} numbers at ${rate}/s: ${arrivals.length} Originates in ${span.toFixed(1)} s = ${measured.toFixed(2)}/s, deviation ${deviation >= 0 ? "+" : ""}${deviation.toFixed(2)}% from the configured rate; interval median ${ms(median(intervals))} (planned ${ms(1000 / rate)}), |jitter| p99 ${ms(percentile(jitter, 99))}`,
);
console.log(`memory of ivr serve during the campaign, RSS at each tenth: ${series.map((kib) => (kib / 1024).toFixed(0)).join(", ")} MiB; over the last 30% ${(rssEarly / 1024).toFixed(1)} -> ${(rssLate / 1024).toFixed(1)} MiB (${rssLate - rssEarly >= 0 ? "+" : ""}${((rssLate - rssEarly) / 1024).toFixed(1)} MiB)`);

worker.terminate();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    originate: loads,
    originateCeilingPerSecond: Math.round(ceiling),
    campaignNumbers: upload.added,
    campaignRate: rate,
    campaignMeasuredRate: Number(measured.toFixed(3)),
    campaignDeviationPercent: Number(deviation.toFixed(3)),
    campaignJitterP99Ms: percentile(jitter, 99),
    rssAt70PercentMiB: Number((rssEarly / 1024).toFixed(1)),
    rssEndMiB: Number((rssLate / 1024).toFixed(1)),
  }),
);
process.exit(0);
