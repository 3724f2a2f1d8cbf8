import { isBusyError } from "../history/db.ts";
import type { Logger } from "../log.ts";
import { DEFAULT_RETRY_WINDOW_MS, nextAttempt } from "./backoff.ts";
import type { DeliveryRecord, OutboxStore } from "./store.ts";
import type { DeliveryResult, Target } from "./types.ts";

export interface WorkerOptions {
  store: OutboxStore;
  /** The targets in force (rebuilt when the config changes). */
  targets: () => ReadonlyMap<string, Target>;
  log: Logger;
  clock?: () => number;
  random?: () => number;
  retryWindowMs?: () => number;
  /** How often due deliveries are looked for when nothing new was enqueued. */
  pollMs?: number;
  /** An attempt without an outcome after this long is abandoned (and retried). */
  attemptTimeoutMs?: number;
}

/** How one target is doing, for /health. */
export interface TargetStatus {
  inFlight: number;
  delivered: number;
  failedAttempts: number;
  deadLetters: number;
  lastSuccessAt: number | null;
  lastError: { at: number; message: string } | null;
}

const MAX_DUE_PER_TICK = 500;
const LOG_AGAIN_MS = 300_000;
const RECORD_EVERY_MS = 10;

/**
 * Delivers what the outbox holds: due deliveries are started without waiting for one
 * another (a slow receiver holds only its own calls, up to its concurrency), one attempt
 * at a time per call and target, so each call's deliveries arrive in order. Outcomes are
 * written back at once; one the database cannot take yet (busy) is kept and written on
 * the next round. Nothing here runs on the call path: the tracker only enqueues.
 */
export class OutboxWorker {
  private readonly inFlightKeys = new Set<string>();
  private readonly inFlightPerTarget = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  /** Outcomes the database could not take yet (busy), and the calls they belong to (not retried meanwhile). */
  private readonly unrecorded: Array<{ keyId: string; write: () => void }> = [];
  private readonly unrecordedKeys = new Set<string>();
  private readonly status = new Map<string, TargetStatus>();
  private readonly lastLogged = new Map<string, number>();
  private readonly abort = new AbortController();
  private timer: ReturnType<typeof setImmediate> | undefined;
  private recordTimer: ReturnType<typeof setTimeout> | undefined;
  private interval: ReturnType<typeof setInterval> | undefined;
  private ticking = false;
  private stopped = false;
  readonly clock: () => number;

  constructor(private readonly options: WorkerOptions) {
    this.clock = options.clock ?? Date.now;
  }

  start(): void {
    this.interval = setInterval(() => void this.tick(), this.options.pollMs ?? 500);
    this.interval.unref?.();
    this.kick();
  }

  /** Something new was enqueued (or retried): look now rather than at the next poll. */
  kick(): void {
    if (this.stopped || this.timer) return;
    // setImmediate, not setTimeout(0): timers are clamped to a millisecond, which would cap
    // each place of a target's concurrency at a thousand deliveries a second.
    this.timer = setImmediate(() => {
      this.timer = undefined;
      void this.tick();
    });
  }

  /** Starts every delivery that is due now; resolves once they are started (not finished). */
  async tick(): Promise<number> {
    if (this.stopped || this.ticking) return 0;
    this.ticking = true;
    try {
      this.recordPending();
      const targets = this.options.targets();
      let started = 0;
      let due: DeliveryRecord[];
      // As many as there are free places, and the ones in flight (still pending, skipped below).
      let free = 0;
      for (const target of targets.values()) free += Math.max(0, target.concurrency - (this.inFlightPerTarget.get(target.name) ?? 0));
      if (free === 0 && targets.size > 0) return 0;
      try {
        due = this.options.store.due(this.clock(), Math.min(MAX_DUE_PER_TICK, free + this.inFlightKeys.size + this.unrecordedKeys.size + 16));
      } catch (error) {
        if (!isBusyError(error)) this.options.log.error(`outbox: reading due deliveries failed: ${(error as Error).message}`);
        return 0;
      }
      for (const item of due) {
        const keyId = `${item.target}\u0000${item.key}`;
        if (this.inFlightKeys.has(keyId) || this.unrecordedKeys.has(keyId)) continue;
        const target = targets.get(item.target);
        if (!target) {
          this.record(keyId, () => this.options.store.markFailed(item, this.clock(), `${item.target} is no longer configured`, undefined));
          continue;
        }
        if ((this.inFlightPerTarget.get(target.name) ?? 0) >= target.concurrency) continue;
        const items = target.batch > 1 ? [item, ...this.options.store.following(item, target.batch - 1)] : [item];
        this.launch(target, keyId, items);
        started++;
      }
      return started;
    } finally {
      this.ticking = false;
    }
  }

  /** Waits for the attempts in flight (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running]);
    this.recordPending();
  }

  get inFlight(): number {
    return this.inFlightKeys.size;
  }

  targetStatus(): ReadonlyMap<string, TargetStatus> {
    for (const name of this.status.keys()) this.statusOf(name);
    return this.status;
  }

  /** Stops starting attempts and aborts those in flight: they stay pending and are retried after a restart. */
  async stop(graceMs = 1000): Promise<void> {
    this.stopped = true;
    clearImmediate(this.timer);
    clearTimeout(this.recordTimer);
    clearInterval(this.interval);
    const all = Promise.all([...this.running]);
    await Promise.race([all, Bun.sleep(graceMs)]);
    this.abort.abort();
    await all;
    this.recordPending();
  }

  private launch(target: Target, keyId: string, items: DeliveryRecord[]): void {
    this.inFlightKeys.add(keyId);
    this.inFlightPerTarget.set(target.name, (this.inFlightPerTarget.get(target.name) ?? 0) + 1);
    const run = this.attempt(target, items).finally(() => {
      this.inFlightKeys.delete(keyId);
      this.inFlightPerTarget.set(target.name, (this.inFlightPerTarget.get(target.name) ?? 1) - 1);
      this.running.delete(run);
      if (!this.stopped) this.kick();
    });
    this.running.add(run);
  }

  private async attempt(target: Target, items: DeliveryRecord[]): Promise<void> {
    const controller = new AbortController();
    const onStop = () => controller.abort();
    this.abort.signal.addEventListener("abort", onStop);
    const limit = this.options.attemptTimeoutMs ?? 60_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let result: DeliveryResult;
    try {
      const timeout = new Promise<DeliveryResult>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve({ delivered: 0, error: `no outcome within ${limit / 1000} s` });
        }, limit);
      });
      result = await Promise.race([target.deliver(items, { signal: controller.signal, now: this.clock }), timeout]);
    } catch (error) {
      result = { delivered: 0, error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener("abort", onStop);
    }
    if (this.abort.signal.aborted && result.error !== undefined) return; // stopping: stays pending as it was
    this.settle(target, `${items[0]!.target}\u0000${items[0]!.key}`, items, result);
  }

  private settle(target: Target, keyId: string, items: DeliveryRecord[], result: DeliveryResult): void {
    const now = this.clock();
    const done = items.slice(0, Math.max(0, Math.min(result.delivered, items.length)));
    const status = this.statusOf(target.name);
    if (done.length) {
      status.delivered += done.length;
      status.lastSuccessAt = now;
      this.record(keyId, () => this.options.store.markDelivered(done, now));
    }
    if (result.error === undefined) return;
    const failed = items[done.length];
    if (!failed) return;
    status.failedAttempts++;
    status.lastError = { at: now, message: result.error };
    const retryAt = result.permanent
      ? undefined
      : nextAttempt({ now, createdAt: failed.createdAt, failures: failed.attempts + 1, windowMs: this.options.retryWindowMs?.() ?? DEFAULT_RETRY_WINDOW_MS, retryAfterMs: result.retryAfterMs, random: this.options.random });
    if (retryAt === undefined) {
      status.deadLetters++;
      const why = result.permanent ? "refused" : `still failing after ${failed.attempts + 1} attempts`;
      this.options.log.error(`outbox: gave up delivery ${failed.id} (${failed.type} of call ${failed.key}) to ${target.name}: ${why}: ${result.error}; it is kept as a dead letter (GET /api/outbox?state=failed)`);
    } else {
      this.logFailure(target.name, `outbox: delivering to ${target.name} failed (${result.error}); retrying, next attempt of delivery ${failed.id} in ${Math.round((retryAt - now) / 1000)} s`);
    }
    this.record(keyId, () => this.options.store.markFailed(failed, now, result.error!, retryAt));
  }

  private statusOf(name: string): TargetStatus {
    let status = this.status.get(name);
    if (!status) this.status.set(name, (status = { inFlight: 0, delivered: 0, failedAttempts: 0, deadLetters: 0, lastSuccessAt: null, lastError: null }));
    status.inFlight = this.inFlightPerTarget.get(name) ?? 0;
    return status;
  }

  /** A target failing over and over is logged once every few minutes, not at every attempt. */
  private logFailure(target: string, line: string): void {
    const now = this.clock();
    if (now - (this.lastLogged.get(target) ?? -Infinity) < LOG_AGAIN_MS) return;
    this.lastLogged.set(target, now);
    this.options.log.warn(line);
  }

  /**
   * Outcomes are written together a few milliseconds later: one transaction for all that
   * finished meanwhile, so a busy target costs the event loop a commit every few ms, not one
   * per delivery (the tracker shares that loop).
   */
  private record(keyId: string, write: () => void): void {
    this.unrecorded.push({ keyId, write });
    this.unrecordedKeys.add(keyId);
    if (this.recordTimer || this.stopped) return;
    this.recordTimer = setTimeout(() => {
      this.recordTimer = undefined;
      this.recordPending();
      this.kick();
    }, RECORD_EVERY_MS);
    this.recordTimer.unref?.();
  }

  private recordPending(): void {
    if (!this.unrecorded.length) return;
    const batch = this.unrecorded.splice(0);
    try {
      this.options.store.history.sqlite.transaction(() => {
        for (const entry of batch) {
          try {
            entry.write();
          } catch (error) {
            if (isBusyError(error)) throw error;
            this.options.log.error(`outbox: recording a delivery's outcome failed (it will be delivered again): ${(error as Error).message}`);
          }
        }
      })();
    } catch (error) {
      this.unrecorded.unshift(...batch); // busy: the next round writes them
      if (!isBusyError(error)) this.options.log.error(`outbox: recording outcomes failed (will retry): ${(error as Error).message}`);
      return;
    }
    for (const entry of batch) this.unrecordedKeys.delete(entry.keyId);
  }
}
