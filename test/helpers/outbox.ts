import type { History } from "../../src/history/db.ts";
import { OutboxRecorder } from "../../src/outbox/recorder.ts";
import { OutboxStore } from "../../src/outbox/store.ts";
import type { DeliveryItem, DeliveryResult, OutboxEvent, Target } from "../../src/outbox/types.ts";
import { OutboxWorker } from "../../src/outbox/worker.ts";
import { captureLog } from "./capture-log.ts";
import { tempHistory } from "./history.ts";

/** A clock a test moves by hand: an hour of retries passes in a line. */
export function manualClock(start = 1_795_264_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms), set: (ms: number) => void (now = ms) };
}

/**
 * A target that records what it was given and answers as the test says: `answer` is asked
 * for each attempt (default: all delivered). Attempts can be held open (`hold`) to play a
 * slow receiver.
 */
export class RecordingTarget implements Target {
  readonly attempts: Array<{ ids: number[]; types: string[]; keys: string[]; sequences: number[] }> = [];
  readonly delivered: DeliveryItem[] = [];
  answer: (items: readonly DeliveryItem[], attempt: number) => DeliveryResult = (items) => ({ delivered: items.length });
  hold: Promise<void> | undefined;
  accepts: (event: OutboxEvent) => boolean = () => true;

  constructor(
    readonly name: string,
    readonly concurrency = 4,
    readonly batch = 1,
  ) {}

  async deliver(items: readonly DeliveryItem[]): Promise<DeliveryResult> {
    this.attempts.push({ ids: items.map((i) => i.id), types: items.map((i) => i.type), keys: items.map((i) => i.key), sequences: items.map((i) => i.sequence) });
    if (this.hold) await this.hold;
    const result = this.answer(items, this.attempts.length);
    this.delivered.push(...items.slice(0, result.delivered));
    return result;
  }
}

/** Store, recorder and worker on a real SQLite file, with a manual clock and fixed jitter. */
export function outboxOn(targets: Target[], options: { history?: History; clock?: ReturnType<typeof manualClock>; retryWindowMs?: number } = {}) {
  const history = options.history ?? tempHistory();
  const clock = options.clock ?? manualClock();
  const { log, text } = captureLog();
  const store = new OutboxStore(history);
  const map = new Map(targets.map((t) => [t.name, t]));
  const worker = new OutboxWorker({ store, targets: () => map, log, clock: clock.now, random: () => 0.5, retryWindowMs: options.retryWindowMs ? () => options.retryWindowMs! : undefined });
  const recorder = new OutboxRecorder({
    store,
    routing: () => (event) => targets.filter((t) => t.accepts(event)).map((t) => t.name),
    log,
    clock: clock.now,
  });
  /** Runs rounds until nothing is due and nothing is in flight. */
  const settle = async () => {
    for (let i = 0; i < 1000; i++) {
      recorder.flush();
      const started = await worker.tick();
      await worker.idle();
      if (!started) return;
    }
    throw new Error("the outbox never settled");
  };
  return { history, clock, store, worker, recorder, map, log: text, settle };
}

export const event = (key: string, type = "call.ringing", data: Record<string, unknown> = {}, at = 1_795_264_000_000) => ({ type, key, at, data: () => ({ call_id: key, ...data }) });
