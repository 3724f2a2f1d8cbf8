import type { OutboxRecorder } from "../outbox/recorder.ts";
import type { OutboxStore } from "../outbox/store.ts";
import type { OutboxWorker } from "../outbox/worker.ts";

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

interface Counts {
  pending: number;
  failed: number;
  oldestPending: number | undefined;
  perTarget: Map<string, { pending: number; failed: number }>;
}

function counts(store: OutboxStore): Counts {
  const result: Counts = { pending: 0, failed: 0, oldestPending: undefined, perTarget: new Map() };
  for (const row of store.counts()) {
    result[row.state] += row.n;
    if (row.state === "pending") result.oldestPending = Math.min(result.oldestPending ?? row.oldest, row.oldest);
    const entry = result.perTarget.get(row.target) ?? { pending: 0, failed: 0 };
    entry[row.state] = row.n;
    result.perTarget.set(row.target, entry);
  }
  return result;
}

/** The outbox in /health: what waits, what was given up (dead letters), how each target is doing. */
export function outboxHealth(store: OutboxStore, worker: OutboxWorker, recorder: OutboxRecorder, now: number) {
  const c = counts(store);
  const status = worker.targetStatus();
  const names = new Set([...status.keys(), ...c.perTarget.keys()]);
  const targets: Record<string, unknown> = {};
  for (const name of [...names].sort()) {
    const s = status.get(name);
    const n = c.perTarget.get(name) ?? { pending: 0, failed: 0 };
    targets[name] = {
      pending: n.pending,
      failed: n.failed,
      in_flight: s?.inFlight ?? 0,
      delivered: s?.delivered ?? 0,
      last_success_at: iso(s?.lastSuccessAt),
      last_error: s?.lastError ? { at: iso(s.lastError.at), message: s.lastError.message } : null,
    };
  }
  return {
    pending: c.pending,
    failed: c.failed,
    oldest_pending_seconds: c.oldestPending === undefined ? null : Math.max(0, Math.round((now - c.oldestPending) / 1000)),
    waiting_events: recorder.depth,
    dropped_events: recorder.dropped,
    targets,
  };
}

/** The outbox in the Prometheus exposition format. */
export function outboxMetrics(store: OutboxStore, worker: OutboxWorker, recorder: OutboxRecorder, now: number): string {
  const c = counts(store);
  const status = worker.targetStatus();
  const label = (value: string) => value.replace(/["\\\n]/g, "_");
  const lines: string[] = [];
  const metric = (name: string, type: "counter" | "gauge", help: string, values: Array<[string, number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of values) lines.push(`${name}${labels} ${value}`);
  };
  const perTarget = (read: (name: string) => number, names: Iterable<string>) => [...names].map((name) => [`{target="${label(name)}"}`, read(name)] as [string, number]);
  const states = [...c.perTarget].flatMap(([name, n]) => [
    [`{target="${label(name)}",state="pending"}`, n.pending],
    [`{target="${label(name)}",state="failed"}`, n.failed],
  ]) as Array<[string, number]>;
  metric("ivr_outbox_deliveries", "gauge", "Deliveries waiting (pending) or given up (failed: dead letters), by target", states);
  metric("ivr_outbox_delivered_total", "counter", "Deliveries delivered since start, by target", perTarget((n) => status.get(n)!.delivered, status.keys()));
  metric("ivr_outbox_attempts_failed_total", "counter", "Delivery attempts that failed since start, by target", perTarget((n) => status.get(n)!.failedAttempts, status.keys()));
  metric("ivr_outbox_dead_letters_total", "counter", "Deliveries given up since start, by target", perTarget((n) => status.get(n)!.deadLetters, status.keys()));
  metric("ivr_outbox_oldest_pending_seconds", "gauge", "Age of the oldest delivery waiting", [["", c.oldestPending === undefined ? 0 : Math.max(0, Math.round((now - c.oldestPending) / 1000))]]);
  metric("ivr_outbox_in_flight", "gauge", "Delivery attempts in progress", [["", worker.inFlight]]);
  metric("ivr_outbox_waiting_events", "gauge", "Events published but not yet stored", [["", recorder.depth]]);
  metric("ivr_outbox_events_stored_total", "counter", "Events stored in the outbox since start", [["", recorder.stored]]);
  metric("ivr_outbox_events_dropped_total", "counter", "Events dropped because the database stayed busy past the limit", [["", recorder.dropped]]);
  return `${lines.join("\n")}\n`;
}
