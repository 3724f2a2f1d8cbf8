import { describe, expect, test } from "bun:test";
import { retryDelay } from "../../src/outbox/backoff.ts";
import { event, manualClock, outboxOn, RecordingTarget } from "../helpers/outbox.ts";

const states = (store: ReturnType<typeof outboxOn>["store"]) => store.list({ limit: 1000 }).reverse().map((d) => [d.target, d.key, d.sequence, d.state]);

describe("the outbox", () => {
  test("an event is stored once, numbered in its call's sequence, with a delivery per target that wants it", async () => {
    const all = new RecordingTarget("webhook:all");
    const endsOnly = new RecordingTarget("webhook:ends");
    endsOnly.accepts = (e) => e.type === "call.ended";
    const { recorder, store, history, settle } = outboxOn([all, endsOnly]);
    recorder.publish(event("A", "call.started"));
    recorder.publish(event("B", "call.started"));
    recorder.publish(event("A", "call.ringing"));
    recorder.publish(event("A", "call.ended"));
    await settle();
    expect(all.delivered.map((d) => [d.key, d.type, d.sequence])).toEqual([
      ["A", "call.started", 1],
      ["B", "call.started", 1],
      ["A", "call.ringing", 2],
      ["A", "call.ended", 3],
    ]);
    expect(endsOnly.delivered.map((d) => [d.key, d.sequence])).toEqual([["A", 3]]);
    expect(history.sqlite.query("SELECT count(*) AS n FROM outbox_events").get()).toEqual({ n: 4 });
    const body = JSON.parse(all.delivered.at(-1)!.payload);
    expect(body).toEqual({ type: "call.ended", timestamp: new Date(1_795_264_000_000).toISOString(), data: { call_id: "A", sequence: 3 } });
    expect(new Set(all.delivered.map((d) => d.messageId)).size).toBe(4);
    expect(all.delivered[0]!.messageId).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(states(store).every(([, , , state]) => state === "delivered")).toBe(true);
  });

  test("an event no target wants is not stored", async () => {
    const picky = new RecordingTarget("webhook:picky");
    picky.accepts = () => false;
    const { recorder, history, settle } = outboxOn([picky]);
    recorder.publish(event("A"));
    await settle();
    expect(history.sqlite.query("SELECT count(*) AS n FROM outbox_events").get()).toEqual({ n: 0 });
  });

  test("in order per call: a failing delivery holds back the rest of its call, not other calls", async () => {
    const target = new RecordingTarget("webhook:x");
    let firstOfA = 0;
    target.answer = (items) => (items[0]!.key === "A" && items[0]!.sequence === 1 && ++firstOfA < 3 ? { delivered: 0, error: "HTTP 500" } : { delivered: items.length });
    const { recorder, clock, worker, settle } = outboxOn([target]);
    recorder.publish(event("A", "call.started"));
    recorder.publish(event("A", "call.ringing"));
    recorder.publish(event("B", "call.started"));
    await settle();
    // A's first failed; B went; A's second waits behind A's first.
    expect(target.delivered.map((d) => `${d.key}${d.sequence}`)).toEqual(["B1"]);
    clock.advance(retryDelay(1, () => 0.5));
    await worker.tick();
    await worker.idle();
    expect(target.delivered.map((d) => `${d.key}${d.sequence}`)).toEqual(["B1"]); // the second attempt failed too
    clock.advance(retryDelay(2, () => 0.5));
    await settle();
    expect(target.delivered.map((d) => `${d.key}${d.sequence}`)).toEqual(["B1", "A1", "A2"]);
  });

  test("retries back off from seconds to hours; past the retry window the delivery is a dead letter, the rest of its call held back", async () => {
    const target = new RecordingTarget("bitrix24");
    target.answer = () => ({ delivered: 0, error: "HTTP 503" });
    const { recorder, clock, worker, store, settle, log } = outboxOn([target], { retryWindowMs: 24 * 3_600_000 });
    recorder.publish(event("A", "call.started"));
    recorder.publish(event("A", "call.ended"));
    await settle();
    const times: number[] = [clock.now()];
    for (let i = 0; i < 100 && store.list({ state: "failed", limit: 10 }).length === 0; i++) {
      const next = store.list({ state: "pending", limit: 10 }).at(-1)!.nextAttemptAt;
      clock.set(next);
      times.push(next);
      await worker.tick();
      await worker.idle();
    }
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.slice(0, 4)).toEqual([5_000, 30_000, 120_000, 600_000]);
    expect(Math.max(...gaps)).toBe(14_400_000);
    expect(times.at(-1)! - times[0]!).toBeLessThanOrEqual(24 * 3_600_000);
    expect(target.attempts.every((a) => a.sequences[0] === 1)).toBe(true); // the second never went before the first
    const failed = store.list({ state: "failed", limit: 10 }).reverse();
    expect(failed.map((d) => [d.sequence, d.lastError])).toEqual([
      [1, "HTTP 503"],
      [2, `held back: delivery ${failed[0]!.id} of this call to this target failed`],
    ]);
    expect(log()).toContain(`gave up delivery ${failed[0]!.id} (call.started of call A) to bitrix24`);

    // A retry by hand (of either): both go back to pending as new, and are delivered in order.
    target.answer = (items) => ({ delivered: items.length });
    expect(store.retry(failed[1]!.id, clock.now())).toBe(2);
    expect(store.retry(failed[0]!.id, clock.now())).toBe(0); // no longer a dead letter
    await settle();
    expect(target.delivered.map((d) => d.sequence)).toEqual([1, 2]);
  });

  test("a refusal no retry can help (permanent) is a dead letter at once; Retry-After is a minimum", async () => {
    const target = new RecordingTarget("webhook:x");
    target.answer = (items) => (items[0]!.key === "gone" ? { delivered: 0, error: "HTTP 410 Gone", permanent: true } : target.attempts.length === 2 ? { delivered: 0, error: "HTTP 429", retryAfterMs: 120_000 } : { delivered: 1 });
    const { recorder, store, clock, worker, settle } = outboxOn([target]);
    recorder.publish(event("gone"));
    await settle();
    expect(store.list({ state: "failed", limit: 5 }).map((d) => d.lastError)).toEqual(["HTTP 410 Gone"]);
    recorder.publish(event("slow"));
    await settle();
    const pending = store.list({ state: "pending", limit: 5 })[0]!;
    expect(pending.nextAttemptAt - clock.now()).toBe(120_000);
    clock.advance(119_000);
    expect(await worker.tick()).toBe(0);
    clock.advance(1_000);
    await settle();
    expect(store.list({ state: "delivered", limit: 5 }).map((d) => d.key)).toEqual(["slow"]);
  });

  test("a target that batches gets the waiting deliveries of one call in one attempt", async () => {
    const crm = new RecordingTarget("bitrix24", 4, 20);
    const { recorder, settle } = outboxOn([crm]);
    recorder.publish(event("A", "call.started"));
    for (let i = 0; i < 10; i++) recorder.publish(event("A", "call.ringing", { leg: i }));
    await settle();
    expect(crm.attempts).toHaveLength(1);
    expect(crm.attempts[0]!.types).toEqual(["call.started", ...Array(10).fill("call.ringing")]);
  });

  test("a partial batch: what was done is delivered, the rest retried from where it stopped", async () => {
    const crm = new RecordingTarget("bitrix24", 4, 20);
    crm.answer = (items, n) => (n === 1 ? { delivered: 2, error: "HTTP 503" } : { delivered: items.length });
    const { recorder, clock, settle } = outboxOn([crm]);
    for (let i = 0; i < 4; i++) recorder.publish(event("A", "call.ringing", { leg: i }));
    await settle();
    clock.advance(10_000);
    await settle();
    expect(crm.attempts.map((a) => a.sequences)).toEqual([
      [1, 2, 3, 4],
      [3, 4],
    ]);
    expect(crm.delivered.map((d) => d.sequence)).toEqual([1, 2, 3, 4]);
  });

  test("a slow receiver holds only its own calls, up to its concurrency; other targets go on", async () => {
    const slow = new RecordingTarget("webhook:slow", 2);
    let release!: () => void;
    slow.hold = new Promise((resolve) => (release = resolve));
    const fast = new RecordingTarget("webhook:fast");
    const { recorder, worker } = outboxOn([slow, fast]);
    for (const key of ["A", "B", "C"]) recorder.publish(event(key));
    recorder.flush();
    await worker.tick();
    await Bun.sleep(5);
    expect(slow.attempts.map((a) => a.keys[0])).toEqual(["A", "B"]); // C waits for a free slot
    expect(fast.delivered.map((d) => d.key)).toEqual(["A", "B", "C"]);
    release();
    slow.hold = undefined;
    await worker.idle();
    await worker.tick();
    await worker.idle();
    expect(slow.delivered.map((d) => d.key).sort()).toEqual(["A", "B", "C"]);
  });

  test("a delivery whose target was removed from the config is a dead letter, not lost", async () => {
    const target = new RecordingTarget("webhook:old");
    const { recorder, map, store, settle } = outboxOn([target]);
    recorder.publish(event("A"));
    recorder.flush();
    map.clear();
    await settle();
    expect(store.list({ state: "failed", limit: 5 }).map((d) => d.lastError)).toEqual(["webhook:old is no longer configured"]);
  });

  test("what was stored survives a restart: a new worker on the same database delivers it", async () => {
    const first = new RecordingTarget("webhook:x");
    first.answer = () => ({ delivered: 0, error: "connection refused" });
    const clock = manualClock();
    const one = outboxOn([first], { clock });
    one.recorder.publish(event("A", "call.started"));
    one.recorder.publish(event("A", "call.ended"));
    await one.settle();
    await one.worker.stop();
    const second = new RecordingTarget("webhook:x");
    const two = outboxOn([second], { history: one.history, clock });
    clock.advance(10_000);
    await two.settle();
    expect(second.delivered.map((d) => [d.type, d.sequence])).toEqual([
      ["call.started", 1],
      ["call.ended", 2],
    ]);
    // Sequences continue after a restart: never reused.
    two.recorder.publish(event("A", "call.ended"));
    await two.settle();
    expect(second.delivered.at(-1)!.sequence).toBe(3);
  });
});
