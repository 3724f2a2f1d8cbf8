/**
 * AMI call tracking: events per second through the real socket, framing, queue and tracker
 * (and the history writes of the calls that end), per-event latency from the moment the
 * fake Asterisk wrote an event to the moment the tracker applied it, and memory per active
 * call. The fake Asterisk runs in its own thread and replays every recorded and written
 * stream, looped with fresh ids. `bun bench/ami.ts` runs it alone (BENCH_ROUNDS throughput
 * rounds, the median printed; BENCH_SECONDS of latency at 10,000 events/s); `bun run bench`
 * runs it among its extras (bench/extras.ts) and keeps the last line's figures.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AmiMessage } from "../src/ami/message.ts";
import { openHistory } from "../src/history/db.ts";
import { createLogger } from "../src/log.ts";
import { startCallTracking } from "../src/tracking/service.ts";
import { Tracker } from "../src/tracking/tracker.ts";
import { trunkMatcher } from "../src/tracking/trunks.ts";
import { amiEvents } from "../test/helpers/ami-fixtures.ts";
import { freshen } from "../test/helpers/fake-ami.ts";
import { median, ms, percentile } from "./stats.ts";

const TRUNKS = { trunk_pattern: "^(Local/\\d+@probe-|Local/10001@queue-in-|PJSIP/(provider|mtt)-)" };
const now = () => performance.timeOrigin + performance.now();

export async function benchAmi(options: { events: number; rounds: number; perSecond: number; seconds: number }): Promise<void> {
  const memory = memoryPerCall(1000);
  const worker = new Worker(new URL("./ami-target.ts", import.meta.url).href);
  const replies: Array<(data: Record<string, number>) => void> = [];
  worker.onmessage = (message: MessageEvent<Record<string, number>>) => replies.shift()?.(message.data);
  const reply = () => new Promise<Record<string, number>>((resolve) => replies.push(resolve));
  const { port } = await reply();

  const dir = mkdtempSync(join(tmpdir(), "ivr-bench-ami-"));
  const history = openHistory(join(dir, "ivr.sqlite"));
  const settings = { host: "127.0.0.1", port, username: "ivr", secret: "s3cret-ami", ...TRUNKS };
  const tracking = startCallTracking({ settings, config: () => ({ country: "TH", ami: settings }), history, log: createLogger({ level: "error" }) });
  while (tracking.health().last_resync === null) await Bun.sleep(10);

  // Every event the tracker applies: when, and how long after the fake wrote it.
  const tracker = tracking.tracker;
  const handle = tracker.handle.bind(tracker);
  let latencies: number[] | undefined;
  tracker.handle = (message: AmiMessage, receivedAt: number) => {
    handle(message, receivedAt);
    if (latencies) latencies.push(now() - Number(message.get("X-Bench-Sent")));
  };

  console.log(`AMI call tracking: the recorded and written streams looped with fresh ids by a fake Asterisk in its own thread`);
  const throughput: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    worker.postMessage({ prepare: options.events });
    await reply();
    const before = tracker.counts.events;
    const droppedBefore = tracking.health().dropped_events;
    const firstIn = new Promise<number>((resolve) => {
      const off = tracking.client.bus.on("event", () => {
        off();
        resolve(performance.now());
      });
    });
    worker.postMessage({ blast: true });
    const { sent } = await reply();
    const started = await firstIn;
    // Done when every event was applied (or dropped by an overflow, which the health reports).
    while (tracker.counts.events - before + tracking.health().dropped_events - droppedBefore < sent!) await Bun.sleep(1);
    const elapsed = (performance.now() - started) / 1000;
    throughput.push(sent! / elapsed);
    console.log(`round ${round}: ${sent} events in ${elapsed.toFixed(2)} s = ${Math.round(sent! / elapsed)} events/s`);
  }
  const calls = tracking.metrics.callsTracked.render().match(/ \d+$/gm)?.reduce((n, v) => n + Number(v), 0) ?? 0;
  const eventsPerSecond = median(throughput);
  console.log(
    `throughput (median of ${options.rounds}): ${Math.round(eventsPerSecond)} events/s through the socket, framing, queue and tracker, ${calls} ended calls written to SQLite meanwhile; queue high water ${tracking.metrics.queueHighWater.render().match(/ (\d+)$/m)?.[1]}, dropped ${tracking.health().dropped_events}`,
  );

  latencies = [];
  worker.postMessage({ pace: { perSecond: options.perSecond, seconds: options.seconds } });
  await reply();
  while (tracking.health().queue_depth > 0) await Bun.sleep(5);
  const sorted = latencies.sort((a, b) => a - b);
  const latency = { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
  latencies = undefined;
  console.log(`latency at ${options.perSecond} events/s for ${options.seconds} s, socket write to tracker state: p50 ${ms(latency.p50)}, p99 ${ms(latency.p99)} (${latency.n} events)`);
  console.log(memory.text);
  const health = tracking.health();
  console.log(`health after: gaps ${health.gaps}, dropped ${health.dropped_events}, reconnects ${health.reconnects}`);

  await tracking.stop();
  history.close();
  worker.terminate();
  rmSync(dir, { recursive: true, force: true });
  // The last line, for bun run bench (bench/extras.ts puts it in .bench/results.json).
  console.log(
    JSON.stringify({
      eventsPerSecond: Math.round(eventsPerSecond),
      latencyP50Ms: latency.p50,
      latencyP99Ms: latency.p99,
      latencyAtEventsPerSecond: options.perSecond,
      kibPerActiveCall: memory.kibPerCall,
      activeCalls: memory.active,
      dropped: health.dropped_events,
    }),
  );
}

/** Heap per call in progress: 1000 calls held by the tracker, then all of them ended. */
function memoryPerCall(target: number): { text: string; kibPerCall: number; active: number } {
  const stream = amiEvents("ivr-queue-and-dial");
  const open = stream.slice(0, stream.findIndex((m) => m.event === "Hangup")); // both calls of a round are up here
  const rest = stream.slice(open.length);
  const tracker = new Tracker({ isTrunk: trunkMatcher(TRUNKS) });
  const rounds = Array.from({ length: target / 2 }, (_, i) => ({ open: freshen(open, i + 1), rest: freshen(rest, i + 1) }));
  Bun.gc(true);
  Bun.gc(true);
  const base = process.memoryUsage().heapUsed;
  let t = Date.now();
  for (const round of rounds) for (const message of round.open) tracker.handle(message, t++);
  Bun.gc(true);
  const held = process.memoryUsage().heapUsed - base;
  const active = tracker.active.size;
  for (const round of rounds) for (const message of round.rest) tracker.handle(message, t++);
  const left = tracker.sizes;
  const kibPerCall = Math.round((held / active / 1024) * 10) / 10;
  return {
    kibPerCall,
    active,
    text:
      `memory: ${active} calls in progress (4 channels each) hold ${(held / 1024 / 1024).toFixed(2)} MiB in the tracker, ${kibPerCall} KiB per call; ` +
      `after they all ended: ${left.calls} calls, ${left.channels} channels held (${left.ended} uniqueids of ended channels remembered for a minute, at most 20,000)`,
  };
}

if (import.meta.main) {
  await benchAmi({
    events: Number(process.env.BENCH_AMI_EVENTS ?? 300_000),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    perSecond: 10_000,
    seconds: Number(process.env.BENCH_SECONDS ?? 3),
  });
  process.exit(0);
}
