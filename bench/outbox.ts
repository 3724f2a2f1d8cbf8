/**
 * The outbox (issue 13): deliveries per second to a local webhook receiver (in its own
 * thread), and what the outbox adds to the tracker's event path with five webhook
 * subscribers taking every event: the latency from the moment the fake Asterisk wrote an
 * event to the moment the tracker applied it, with and without the integrations, at a busy
 * PBX's rate; and the time the tracker spends handing each event over. `bun bench/outbox.ts`
 * runs it alone; `bun run bench` among its extras (bench/extras.ts).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AmiMessage } from "../src/ami/message.ts";
import type { IvrConfig } from "../src/config/schema.ts";
import { openHistory } from "../src/history/db.ts";
import { startIntegrations } from "../src/integrations/service.ts";
import { WebhookTarget } from "../src/integrations/webhooks/target.ts";
import { createLogger } from "../src/log.ts";
import { OutboxRecorder } from "../src/outbox/recorder.ts";
import { OutboxStore } from "../src/outbox/store.ts";
import { OutboxWorker } from "../src/outbox/worker.ts";
import { startCallTracking } from "../src/tracking/service.ts";
import { median, ms, percentile } from "./stats.ts";

const SECRET = `whsec_${Buffer.alloc(32, 7).toString("base64")}`;
const log = createLogger({ level: "error" });
const now = () => performance.timeOrigin + performance.now();

/** A Worker thread and its first message (its port); `ask` sends a message and waits for the answer. */
async function workerThread(file: string): Promise<{ worker: Worker; port: number; ask: (message: unknown) => Promise<Record<string, number>> }> {
  const worker = new Worker(new URL(file, import.meta.url).href);
  const replies: Array<(data: Record<string, number>) => void> = [];
  worker.onmessage = (message: MessageEvent<Record<string, number>>) => replies.shift()?.(message.data);
  const first = await new Promise<Record<string, number>>((resolve) => replies.push(resolve));
  return { worker, port: first.port!, ask: (message) => new Promise((resolve) => (replies.push(resolve), worker.postMessage(message))) };
}

/** Deliveries per second: `events` stored first (over `calls` calls, in order per call), then delivered with `concurrency` in flight. */
async function throughput(url: string, options: { events: number; calls: number; concurrency: number }) {
  const dir = mkdtempSync(join(tmpdir(), "ivr-bench-outbox-"));
  const history = openHistory(join(dir, "ivr.sqlite"));
  const store = new OutboxStore(history);
  const target = new WebhookTarget({ name: "bench", url, secret: SECRET, events: ["*"], concurrency: options.concurrency });
  const recorder = new OutboxRecorder({ store, routing: () => () => [target.name], log });
  const storeStarted = performance.now();
  for (let i = 0; i < options.events; i++) {
    const key = `call-${i % options.calls}`;
    recorder.publish({ type: "call.ringing", key, at: Date.now(), data: () => ({ call_id: key, call: { id: key }, leg: { number: String(100 + (i % 50)) } }) });
    if (i % 5000 === 4999) recorder.flush();
  }
  recorder.flush();
  const storeSeconds = (performance.now() - storeStarted) / 1000;
  const worker = new OutboxWorker({ store, targets: () => new Map([[target.name, target]]), log, pollMs: 50 });
  const started = performance.now();
  worker.start();
  const pending = () => (store.counts().find((c) => c.state === "pending")?.n ?? 0) + worker.inFlight;
  while (pending() > 0) await Bun.sleep(20);
  const seconds = (performance.now() - started) / 1000;
  await worker.stop();
  history.close();
  rmSync(dir, { recursive: true, force: true });
  return { deliveriesPerSecond: options.events / seconds, storedPerSecond: options.events / storeSeconds };
}

/** Socket-to-tracker latency at `perSecond` events/s for `seconds`, with or without five webhook subscribers; and the hand-over's own cost. */
async function eventPath(receiverUrl: string, withOutbox: boolean, perSecond: number, seconds: number) {
  const ami = await workerThread("./ami-target.ts");
  const dir = mkdtempSync(join(tmpdir(), "ivr-bench-outbox-path-"));
  const history = openHistory(join(dir, "ivr.sqlite"), { busyTimeoutMs: 100 });
  const settings = { host: "127.0.0.1", port: ami.port, username: "ivr", secret: "s3cret-ami", trunk_pattern: "^(Local/\\d+@probe-|Local/10001@queue-in-|PJSIP/(provider|mtt)-)" };
  const webhooks = Array.from({ length: 5 }, (_, i) => ({ name: `sub${i}`, url: receiverUrl, secret: SECRET, events: ["*"] }));
  const config: IvrConfig = { country: "TH", ami: settings, ...(withOutbox ? { integrations: { webhooks } } : {}) };
  const integrations = withOutbox ? startIntegrations({ history, config: () => config, log }) : undefined;
  const handOver: number[] = [];
  // Every stretch of the outbox's own work on the event loop (storing, picking deliveries,
  // writing outcomes): an AMI event that arrives meanwhile waits at most that long.
  const slices: number[] = [];
  const byName: Record<string, number[]> = {};
  if (integrations) {
    const timed = <T extends object>(object: T, name: keyof T) => {
      const original = (object[name] as (...args: unknown[]) => unknown).bind(object);
      (object as Record<keyof T, unknown>)[name] = (...args: unknown[]) => {
        const t = performance.now();
        try {
          return original(...args);
        } finally {
          slices.push(performance.now() - t);
          (byName[String(name)] ??= []).push(performance.now() - t);
        }
      };
    };
    timed(integrations.recorder, "flush");
    timed(integrations.worker, "tick");
    timed(integrations.worker as unknown as { recordPending: () => void }, "recordPending");
  }
  const outbox = integrations
    ? {
        ...integrations.tracking,
        onLiveEvent: (event: Parameters<typeof integrations.tracking.onLiveEvent>[0]) => {
          const t = performance.now();
          integrations.tracking.onLiveEvent(event);
          handOver.push(performance.now() - t);
        },
      }
    : undefined;
  const tracking = startCallTracking({ settings, config: () => config, history, log, outbox });
  while (tracking.health().last_resync === null) await Bun.sleep(10);
  const tracker = tracking.tracker;
  const handle = tracker.handle.bind(tracker);
  const latencies: number[] = [];
  tracker.handle = (message: AmiMessage, receivedAt: number) => {
    handle(message, receivedAt);
    const sent = message.get("X-Bench-Sent");
    if (sent) latencies.push(now() - Number(sent));
  };
  await ami.ask({ pace: { perSecond, seconds } });
  while (tracking.health().queue_depth > 0) await Bun.sleep(5);
  const stored = integrations?.recorder.stored ?? 0;
  await tracking.stop();
  await integrations?.stop(0);
  history.close();
  ami.worker.terminate();
  rmSync(dir, { recursive: true, force: true });
  const sorted = latencies.sort((a, b) => a - b);
  const over = handOver.sort((a, b) => a - b);
  const work = slices.sort((a, b) => a - b);
  if (process.env.BENCH_OUTBOX_DETAIL) for (const [name, values] of Object.entries(byName)) console.log(name, values.length, "p99", ms(percentile(values.sort((a, b) => a - b), 99)), "max", ms(values.at(-1)));
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length, handOverP99: percentile(over, 99), sliceP99: percentile(work, 99), sliceMax: work.at(-1) ?? 0, stored };
}

export async function benchOutbox(options: { rounds: number; seconds: number; events: number; perSecond: number }) {
  const receiver = await workerThread("./outbox-receiver.ts");
  const url = `http://127.0.0.1:${receiver.port}/hooks`;
  console.log("Outbox: webhooks to a local receiver in its own thread");
  const rates: Record<number, number[]> = { 4: [], 16: [] };
  const stored: number[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const concurrency of [4, 16]) {
      const result = await throughput(url, { events: options.events, calls: options.events / 10, concurrency });
      rates[concurrency]!.push(result.deliveriesPerSecond);
      stored.push(result.storedPerSecond);
      console.log(`round ${round}, concurrency ${concurrency}: ${Math.round(result.deliveriesPerSecond)} deliveries/s (${options.events} events, 10 per call, in order per call); stored ${Math.round(result.storedPerSecond)} events/s`);
    }
  }
  const paths: Array<{ without: Awaited<ReturnType<typeof eventPath>>; with: Awaited<ReturnType<typeof eventPath>> }> = [];
  for (let round = 1; round <= options.rounds; round++) {
    const without = await eventPath(url, false, options.perSecond, options.seconds);
    const withOutbox = await eventPath(url, true, options.perSecond, options.seconds);
    paths.push({ without, with: withOutbox });
    console.log(
      `round ${round}, ${options.perSecond} AMI events/s for ${options.seconds} s: socket to tracker p50 ${ms(without.p50)} / p99 ${ms(without.p99)} without integrations, ` +
        `p50 ${ms(withOutbox.p50)} / p99 ${ms(withOutbox.p99)} with 5 webhook subscribers (${withOutbox.stored} events stored); hand-over p99 ${ms(withOutbox.handOverP99)}; ` +
        `the outbox's stretches of work on the event loop p99 ${ms(withOutbox.sliceP99)}, longest ${ms(withOutbox.sliceMax)}`,
    );
  }
  receiver.worker.terminate();
  const figures = {
    deliveriesPerSecond: Math.round(median(rates[4]!)),
    deliveriesPerSecondConcurrency16: Math.round(median(rates[16]!)),
    eventsStoredPerSecond: Math.round(median(stored)),
    eventPathP99WithoutMs: median(paths.map((p) => p.without.p99)),
    eventPathP99With5SubscribersMs: median(paths.map((p) => p.with.p99)),
    addedP99Ms: median(paths.map((p) => p.with.p99 - p.without.p99)),
    handOverP99Ms: median(paths.map((p) => p.with.handOverP99)),
    outboxSliceP99Ms: median(paths.map((p) => p.with.sliceP99)),
    outboxSliceMaxMs: median(paths.map((p) => p.with.sliceMax)),
    atEventsPerSecond: options.perSecond,
  };
  console.log(
    `outbox (medians of ${options.rounds}): ${figures.deliveriesPerSecond} deliveries/s at concurrency 4 (the default), ${figures.deliveriesPerSecondConcurrency16} at 16; ` +
      `on the tracker's event path with 5 subscribers: the hand-over p99 ${ms(figures.handOverP99Ms)}, the outbox's work on the event loop p99 ${ms(figures.outboxSliceP99Ms)} (longest ${ms(figures.outboxSliceMaxMs)}); ` +
      `socket-to-tracker p99 ${ms(figures.eventPathP99WithoutMs)} without, ${ms(figures.eventPathP99With5SubscribersMs)} with (a difference of ${ms(figures.addedP99Ms)}, within this machine's noise)`,
  );
  console.log(JSON.stringify(figures));
}

if (import.meta.main) {
  await benchOutbox({
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    seconds: Number(process.env.BENCH_SECONDS ?? 5),
    events: Number(process.env.BENCH_OUTBOX_EVENTS ?? 20_000),
    perSecond: Number(process.env.BENCH_OUTBOX_EVENTS_PER_SECOND ?? 1000),
  });
  process.exit(0);
}
