import { type FastAgiLimits, type FastAgiServer, startFastAgiServer } from "../agi/fastagi-server.ts";
import type { AgiHandler } from "../agi/handler.ts";
import type { ConfigStore } from "../config/store.ts";
import { BackgroundWriter } from "../history/background-writer.ts";
import { openHistory, SERVER_BUSY_TIMEOUT_MS } from "../history/db.ts";
import { ivrCallRow } from "../history/record.ts";
import { DEFAULT_RETENTION_DAYS, pruneIfDue } from "../history/retention.ts";
import { spoolDirFor, spooledCount } from "../history/spool.ts";
import { WriteHealth } from "../history/write-health.ts";
import { WriteQueue } from "../history/write-queue.ts";
import { createApp } from "../http/app.ts";
import { clientAddress } from "../http/ip.ts";
import { createMetrics } from "../http/metrics.ts";
import { outboundOriginator } from "../integrations/click-to-call.ts";
import { startIntegrations } from "../integrations/service.ts";
import { ivrHandler } from "../ivr/handler.ts";
import { type Logger, stderrSink } from "../log.ts";
import { scheduleHours } from "../originate/hours.ts";
import { startOutboundIfConfigured } from "../originate/service.ts";
import { ScheduleService } from "../schedules/service.ts";
import { historyOverrideStore } from "../schedules/store.ts";
import { DecisionLog, decisionLogFile, decisionLogRotation } from "../smart/decision-log.ts";
import { historySources } from "../smart/history-sources.ts";
import { smartScript } from "../smart/agi-script.ts";
import { regenerateDialplan } from "../smart/regenerate.ts";
import { SmartService } from "../smart/service.ts";
import { startCallTrackingIfConfigured } from "../tracking/service.ts";
import { VERSION } from "../version.ts";
import { startHistoryUpkeep } from "./history-upkeep.ts";
import { listenOn } from "./listen.ts";

export interface ServerOptions {
  store: ConfigStore;
  dbPath: string;
  fastagi: { hostname: string; port: number };
  http: { hostname: string; port: number };
  limits: { [K in keyof FastAgiLimits]?: FastAgiLimits[K] | undefined };
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** How often calls written by other processes are looked for, and the spool imported (default 1 s). */
  historyPollMs?: number;
}

export interface RunningServer {
  fastagi: FastAgiServer;
  http: { hostname: string; port: number };
  history: { path: string };
  /** Stops accepting, lets FastAGI sessions finish for up to `graceMs`, writes what is queued. */
  stop(graceMs: number): Promise<void>;
}

const PRUNE_EVERY_MS = 60 * 60_000;
/**
 * How long rows gather before the writer thread commits them. Each commit by another
 * connection makes this one's next read start from a cold cache: at 25 ms, 6,000 Smart
 * decisions a second made every lookup half again as slow as with a commit every 100 ms.
 */
const HISTORY_FLUSH_MS = 100;
/** Up to this much of the history file is read through memory mapping (see startServer). */
const HISTORY_MMAP_BYTES = 1024 * 1024 * 1024;
/** How long the writer thread waits for another process's write lock (it holds up no call). */
const WRITER_BUSY_TIMEOUT_MS = 2000;
/** How long decision log lines are gathered before they are written (what `tail -f` waits at most). */
const DECISION_LOG_FLUSH_MS = 50;
/** After the FastAGI sessions are closed at shutdown, how long their IVRs get to hand over their records. */
const RECORD_DRAIN_MS = 2000;

/**
 * Everything `ivr serve` runs: the FastAGI server with the IVR, the HTTP API (Smart Redirect,
 * calls, stats, health, metrics), the call history they share. Throws if the history cannot
 * be opened: a server that cannot record calls should not start silently.
 */
export function startServer(options: ServerOptions): RunningServer {
  const { store, log } = options;
  const history = openHistory(options.dbPath, { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS });
  // Smart Redirect and the API read the history here while the writer thread and per-call
  // processes commit: each commit by another connection empties this connection's page
  // cache, so the file is read through memory mapping instead (the OS's own cache).
  history.sqlite.run(`PRAGMA mmap_size = ${HISTORY_MMAP_BYTES}`);
  const spoolDir = spoolDirFor(history.path);
  const health = new WriteHealth();
  // A caller's cached Smart decisions go when their new call is written: a no_match cached
  // at the start of their first call must not answer their call-back (see also upkeep).
  const forgetCallers = (rows: readonly { externalNumber?: string | null; externalNumberRaw?: string | null }[]) => {
    for (const row of rows) smart.forgetPhone(row.externalNumber, row.externalNumberRaw);
  };
  const background =
    history.path === ":memory:"
      ? undefined
      : new BackgroundWriter(history.path, WRITER_BUSY_TIMEOUT_MS, (reason) => log.error(`${reason}; the history is written on the main thread from now on`));
  const queue = new WriteQueue(history, log, { flushMs: HISTORY_FLUSH_MS, spoolDir, health, onCallsWritten: forgetCallers, background });
  // Its lines are written together, off the request path, like the rows.
  const decisionLog = new DecisionLog((row) => queue.decision(row), () => decisionLogFile(store.current.config, store.current.path, history.path), log, {
    rotation: () => decisionLogRotation(store.current.config),
    flushMs: DECISION_LOG_FLUSH_MS,
  });
  const schedules = new ScheduleService({ snapshot: () => store.current, store: historyOverrideStore(history), log });
  const smart = new SmartService({
    hours: schedules.hours,
    snapshot: () => store.current,
    sources: { ...historySources(history), crm: (order, phone, budgetMs) => integrations.crm(order, phone, budgetMs) },
    decisionLog,
    log,
    env: options.env,
  });
  let fastagi: FastAgiServer | undefined;
  const fastagiSessions = () => fastagi?.activeSessions ?? 0;
  const metrics = createMetrics({ fastagiSessions, logLinesDropped: () => stderrSink.dropped });

  const ivrCalls = ivrHandler(
    () => store.current,
    (call, loaded) => {
      const row = ivrCallRow(call, loaded.config);
      queue.call(row);
      forgetCallers([row]);
      metrics.callsRecorded.inc({ status: call.outcome.status });
    },
    () => (enterprise, request, uniqueid) => smart.decideFor(enterprise, request, uniqueid),
    { hours: () => schedules.hours },
  );
  // IVR calls in progress: at shutdown, their records are handed over before the queue's last write.
  let ivrRunning = 0;
  const ivr: AgiHandler = async (channel, callLog) => {
    ivrRunning++;
    try {
      await ivrCalls(channel, callLog);
    } finally {
      ivrRunning--;
    }
  };
  const integrations = startIntegrations({ history, config: () => store.current.config, log, env: options.env });
  const tracking = startCallTrackingIfConfigured({ config: () => store.current.config, onReload: (f) => store.onReload(f), history, log, env: options.env, outbox: integrations.tracking });
  const outbound = startOutboundIfConfigured({
    config: () => store.current.config,
    tracking,
    history,
    log,
    env: options.env,
    record: (row) => queue.call(row),
    hours: scheduleHours(schedules),
    outbox: integrations.outbound,
  });
  if (outbound) integrations.setOriginator(outboundOriginator(outbound.place));
  const scripts: Record<string, AgiHandler> = { ivr, "": ivr, smart: smartScript(smart), ...(outbound ? { outbound: outbound.script } : {}) };
  const app = createApp({
    snapshot: () => store.current,
    smart,
    history,
    metrics,
    clientIp: (c) => clientAddress((c.env as { peer?: string } | undefined)?.peer, c.req.header("x-forwarded-for"), store.current.config.server?.trusted_proxies ?? []),
    log,
    version: VERSION,
    startedAt: Date.now(),
    env: options.env,
    fastagiSessions,
    historyWrites: () => ({ ...health.current(), pendingRecords: queue.pending, spooledFiles: spooledCount(spoolDir), spoolDir }),
    tracking,
    integrations,
    schedules,
    configReload: () => store.lastReload,
    outbound,
  });
  // A busy port stops the start cleanly: what was already opened is closed again.
  let http: ReturnType<typeof Bun.serve>;
  try {
    fastagi = listenOn("FastAGI", options.fastagi, () =>
      startFastAgiServer({ ...options.fastagi, route: (script) => scripts[script], limits: options.limits, log }),
    );
    http = listenOn("HTTP API", options.http, () =>
      Bun.serve({
        hostname: options.http.hostname,
        port: options.http.port,
        fetch: (request, server) => app.fetch(request, { peer: server.requestIP(request)?.address }),
      }),
    );
  } catch (error) {
    void fastagi?.stop(0);
    outbound?.stop();
    void tracking?.stop();
    void integrations.stop(0);
    void background?.close();
    history.close();
    throw error;
  }

  const prune = () => {
    try {
      const deleted = pruneIfDue(history, store.current.config.database?.retention_days ?? DEFAULT_RETENTION_DAYS);
      if (deleted) log.info(`pruned ${deleted} history rows older than the retention period`);
    } catch (error) {
      log.warn(`pruning the history failed (will retry): ${(error as Error).message}`);
    }
  };
  prune();
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  pruneTimer.unref?.();
  // Calls per-call processes record, and the spool: noticed and imported about once a second.
  const upkeep = startHistoryUpkeep({ history, spoolDir, health, log, onNewCall: (call) => forgetCallers([call]), everyMs: options.historyPollMs });
  upkeep.round();

  // The generated dialplan follows the config (smart.dialplan.write_on_change), one rewrite at a time.
  let regeneration: Promise<unknown> = Promise.resolve();
  const regenerate = () => {
    regeneration = regeneration.then(() => regenerateDialplan(store.current, log));
  };
  regenerate();
  store.onReload(regenerate);

  return {
    fastagi,
    http: { hostname: http.hostname ?? options.http.hostname, port: http.port ?? options.http.port },
    history: { path: history.path },
    async stop(graceMs) {
      clearInterval(pruneTimer);
      await fastagi.stop(graceMs);
      const deadline = Date.now() + RECORD_DRAIN_MS;
      while (ivrRunning > 0 && Date.now() < deadline) await Bun.sleep(10);
      await http.stop();
      await regeneration;
      outbound?.stop();
      await tracking?.stop();
      await integrations.stop();
      upkeep.stop();
      decisionLog.close();
      await queue.close();
      history.close();
    },
  };
}

