import { Hono } from "hono";
import type { HistoryWriteStatus } from "../../history/write-health.ts";
import type { AppDeps } from "../deps.ts";

/** Writes held up by another process's lock this long count as a problem, not a moment's wait. */
const BUSY_TOO_LONG_MS = 60_000;

/**
 * /health for monitoring: 503 when the history cannot be read, or when writes fail (a full
 * disk: a SELECT still works, every INSERT fails), or have been blocked for a minute.
 * /metrics for Prometheus.
 */
export function opsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get("/health", (c) => {
    const { path, generation, loadedAt } = deps.snapshot();
    let readError: string | undefined;
    try {
      deps.history.sqlite.query("SELECT 1").get();
    } catch (error) {
      readError = (error as Error).message;
    }
    const writes = deps.historyWrites?.();
    const writeProblem = writes && (writes.state === "failing" || (writes.state === "busy" && Date.now() - (writes.since ?? Date.now()) > BUSY_TOO_LONG_MS));
    const status = readError ? "error" : writes?.state === "failing" ? "write_failing" : writes?.state === "busy" ? "busy" : "ok";
    const healthy = !readError && !writeProblem;
    return c.json(
      {
        status: healthy ? "ok" : "degraded",
        version: deps.version,
        uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
        config: { path, generation, loaded_at: loadedAt.toISOString() },
        database: { path: deps.history.path, status, ...(readError ? { error: readError } : {}), ...(writes ? { writes: writesJson(writes) } : {}) },
        fastagi: { sessions: deps.fastagiSessions?.() ?? 0 },
        ami: deps.tracking ? deps.tracking.health() : { state: "off" },
        outbox: deps.integrations ? deps.integrations.health() : { state: "off" },
        outbound: deps.outbound ? deps.outbound.health() : { state: "off" },
      },
      healthy ? 200 : 503,
    );
  });
  app.get("/metrics", (c) => {
    const writes = deps.historyWrites?.();
    const text =
      deps.metrics.render() +
      (writes ? historyMetrics(writes) : "") +
      (deps.tracking?.metrics.render() ?? "") +
      (deps.integrations?.metrics() ?? "") +
      (deps.outbound?.metrics.render() ?? "");
    return c.text(text, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  });
  return app;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function writesJson(writes: HistoryWriteStatus) {
  return {
    state: writes.state,
    since: iso(writes.since),
    last_write_at: iso(writes.lastWriteAt),
    last_error: writes.lastError ? { at: iso(writes.lastError.at), message: writes.lastError.message } : null,
    failed_records: writes.failedRecords,
    spooled_records: writes.spooledRecords,
    lost_records: writes.lostRecords,
    lost_decisions: writes.lostDecisions,
    pending_records: writes.pendingRecords,
    spool: { dir: writes.spoolDir, files: writes.spooledFiles },
  };
}

/** The history's write path in the exposition format, beside the app's own metrics. */
function historyMetrics(writes: HistoryWriteStatus): string {
  const metric = (name: string, type: "counter" | "gauge", help: string, value: number) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}`;
  return `${[
    metric("ivr_history_records_failed_total", "counter", "Call records that could not be written to the history when due (spooled or lost)", writes.failedRecords),
    metric("ivr_history_records_spooled_total", "counter", "Call records written to the spool instead of the history", writes.spooledRecords),
    metric("ivr_history_records_lost_total", "counter", "Call records neither written nor spooled", writes.lostRecords),
    metric("ivr_history_decisions_lost_total", "counter", "Smart Redirect decision rows not written to the history", writes.lostDecisions),
    metric("ivr_history_records_pending", "gauge", "Rows waiting in memory for the history", writes.pendingRecords),
    metric("ivr_history_spool_files", "gauge", "Call records waiting in the spool for import", writes.spooledFiles),
    metric("ivr_history_writes_failing", "gauge", "1 while writes to the history fail", writes.state === "failing" ? 1 : 0),
  ].join("\n")}\n`;
}
