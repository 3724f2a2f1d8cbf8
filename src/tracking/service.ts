import { AmiClient } from "../ami/client.ts";
import type { AmiTiming } from "../ami/timing.ts";
import { DEFAULT_AMI_PORT } from "../ami/describe.ts";
import type { AmiMessage } from "../ami/message.ts";
import type { AmiSettings } from "../config/ami-schema.ts";
import type { IvrConfig } from "../config/schema.ts";
import { resolveSecret } from "../config/secret.ts";
import type { History } from "../history/db.ts";
import type { Logger } from "../log.ts";
import { EventQueue } from "./event-queue.ts";
import { type LiveEvent, LiveFeed } from "./live.ts";
import { createTrackingMetrics, type TrackingMetrics } from "./metrics.ts";
import { reconcile } from "./reconcile.ts";
import { type CallOutbox, trackedCallRow, TrackedCallWriter } from "./store.ts";
import { type CallSummary, summarize } from "./summary.ts";
import { Tracker } from "./tracker.ts";
import { trunkMatcher } from "./trunks.ts";
import { usersByExtension } from "./users.ts";

type Item = { kind: "event"; message: AmiMessage; receivedAt: number } | { kind: "snapshot"; items: AmiMessage[]; requestedAt: number; gapSince?: number; reason: string };

export interface TrackingOptions {
  settings: AmiSettings;
  /** The config in force (country, Smart Redirect users), read when a call is written. */
  config: () => IvrConfig;
  /** Subscribes to config reloads: the ami: section itself is read once, so a change is pointed out. */
  onReload?: (listener: () => void) => void;
  history: History;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Test hooks: shorter timings, the slice of the consumer. */
  timing?: Partial<AmiTiming>;
  sliceMs?: number;
  /** A comment line this often keeps idle event streams (and the proxies in between) open. */
  heartbeatMs?: number;
  /** The integrations' outbox: every live change, and each ended call in the transaction that records it. */
  outbox?: CallOutbox & { onLiveEvent(event: LiveEvent): void };
}

export interface TrackingHealth {
  state: string;
  target: string;
  connected_since: string | null;
  last_event_at: string | null;
  reconnects: number;
  gaps: number;
  last_gap_at: string | null;
  last_resync: { at: string; reason: string; closed: number; adopted: number } | null;
  /** Why the last resync failed (e.g. a write class missing in manager.conf), until one succeeds. */
  resync_error: string | null;
  active_calls: number;
  queue_depth: number;
  dropped_events: number;
  fully_booted: boolean;
  auth_failed: boolean;
  last_error: string | null;
  next_attempt_at: string | null;
}

export interface CallTracking {
  readonly client: AmiClient;
  readonly tracker: Tracker;
  readonly feed: LiveFeed;
  readonly metrics: TrackingMetrics;
  readonly heartbeatMs: number;
  activeCalls(): CallSummary[];
  health(): TrackingHealth;
  /** Writes what is queued (tests, shutdown). */
  flush(): void;
  stop(): Promise<void>;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const seconds = (value: number | undefined) => (value === undefined ? undefined : value * 1000);

/** Call tracking if the config has an ami: section (read once: a change needs a restart), else undefined. */
export function startCallTrackingIfConfigured(options: Omit<TrackingOptions, "settings">): CallTracking | undefined {
  const settings = options.config().ami;
  return settings ? startCallTracking({ ...options, settings }) : undefined;
}

/**
 * The AMI side of `ivr serve`: one connection, the tracker behind a bounded queue, ended
 * calls into the history, live changes on the feed. After every login (once Asterisk is
 * fully booted), after an overflow or a refused message, and every resync_interval_seconds,
 * a CoreShowChannels snapshot is reconciled with the tracker, in stream order.
 */
export function startCallTracking(options: TrackingOptions): CallTracking {
  const { settings, log } = options;
  const tracker = new Tracker({ isTrunk: trunkMatcher(settings), onListenerError: (type, error) => log.error(`call tracking: a ${type} subscriber failed: ${(error as Error)?.stack ?? error}`) });
  // Gauges read the queue and the client when scraped.
  const metrics = createTrackingMetrics({
    connected: () => (client.status.state === "connected" ? 1 : 0),
    queueDepth: () => queue.depth,
    queueHighWater: () => queue.highWater,
    activeCalls: () => tracker.active.size,
  });
  const feed = new LiveFeed(tracker, { windowMs: (settings.event_window_seconds ?? 300) * 1000, maxEvents: 20_000 });
  const users = usersByExtension(options.config);
  const writer = new TrackedCallWriter(options.history, log, (call) => trackedCallRow(call, options.config(), users), {
    onWritten: (call) => metrics.callsTracked.inc({ direction: call.direction, status: call.status ?? "failed" }),
    outbox: options.outbox,
  });
  if (options.outbox) feed.subscribe(options.outbox.onLiveEvent);
  let gapSince: number | undefined;
  let gaps = 0;
  let lastGapAt: number | undefined;
  let lastResync: TrackingHealth["last_resync"] = null;
  let resyncing = false;
  let resyncAgain: string | undefined;
  let resyncError: string | null = null;
  let stopping = false;

  const queue = new EventQueue<Item>(
    (item) => {
      if (item.kind === "event") return tracker.handle(item.message, item.receivedAt);
      const result = reconcile(tracker, item.items, { requestedAt: item.requestedAt, at: Date.now(), gapSince: item.gapSince });
      lastResync = { at: new Date().toISOString(), reason: item.reason, closed: result.closed, adopted: result.adopted };
      metrics.resyncs.inc({ outcome: "done" });
      const level = result.closed || result.adopted ? "info" : "debug";
      log[level](`AMI resync (${item.reason}): ${item.items.length} channels on the PBX; ${result.closed} closed as ended during a gap, ${result.adopted} adopted, ${result.callsEnded} calls ended`);
    },
    {
      max: settings.queue_max_events ?? 100_000,
      sliceMs: options.sliceMs ?? 10,
      onOverflow: (dropped, oldest) => {
        metrics.dropped.inc({}, dropped);
        gap("overflow", oldest.kind === "event" ? oldest.receivedAt : oldest.requestedAt);
        log.error(`AMI: the tracker fell ${dropped} events behind (queue_max_events): they were dropped; resyncing from CoreShowChannels`);
        void resync("overflow");
      },
      onError: (error) => log.error(`call tracking: ${(error as Error)?.stack ?? error}`),
    },
  );

  const client = new AmiClient({
    host: settings.host,
    port: settings.port ?? DEFAULT_AMI_PORT,
    username: settings.username,
    secret: () => resolveSecret(settings.secret, options.env),
    log,
    timing: {
      connectTimeoutMs: seconds(settings.connect_timeout_seconds),
      actionTimeoutMs: seconds(settings.action_timeout_seconds),
      pingIntervalMs: seconds(settings.ping_interval_seconds),
      pingTimeoutMs: seconds(settings.ping_timeout_seconds),
      retryMaxMs: seconds(settings.reconnect_max_seconds),
      ...options.timing,
    },
  });

  function gap(cause: string, at: number): void {
    gaps++;
    lastGapAt = at;
    gapSince ??= at;
    metrics.gaps.inc({ cause });
  }

  async function resync(reason: string): Promise<void> {
    if (resyncing) {
      resyncAgain = reason;
      return;
    }
    resyncing = true;
    const requestedAt = Date.now();
    const since = gapSince;
    try {
      const { items } = await client.list({ Action: "CoreShowChannels" });
      // Behind every event read before the snapshot, so both are applied in stream order.
      queue.push({ kind: "snapshot", items, requestedAt, gapSince: since, reason });
      if (gapSince === since) gapSince = undefined;
      resyncError = null;
    } catch (error) {
      if (stopping) return;
      metrics.resyncs.inc({ outcome: "failed" });
      resyncError = (error as Error).message;
      log.error(`AMI resync (${reason}) failed: ${resyncError}`);
    } finally {
      resyncing = false;
      const again = resyncAgain;
      resyncAgain = undefined;
      if (again && client.status.state === "connected") void resync(again);
    }
  }

  client.bus.on("event", ({ message, receivedAt }) => {
    metrics.countEvent(message.get("Event") ?? "");
    queue.push({ kind: "event", message, receivedAt });
  });
  let lastLogin = 0;
  client.bus.on("ready", ({ login }) => {
    const again = login === lastLogin;
    if (!again && login > 1) metrics.reconnects.inc();
    lastLogin = login;
    void resync(again ? "fully booted" : login === 1 ? "connected" : "reconnected");
  });
  client.bus.on("disconnected", ({ at }) => gap("disconnect", at));
  client.bus.on("lost", ({ at, reason }) => {
    gap("refused message", at);
    void resync(reason);
  });
  tracker.bus.on("call.ended", ({ call }) => writer.add(summarize(call)));

  const applied = JSON.stringify(settings);
  options.onReload?.(() => {
    if (JSON.stringify(options.config().ami) !== applied) log.warn("the ami: section changed; it takes effect after a restart of ivr serve");
  });

  const every = settings.resync_interval_seconds ?? 900;
  const periodic = every > 0 ? setInterval(() => client.status.state === "connected" && void resync("periodic"), every * 1000) : undefined;
  periodic?.unref?.();
  client.start();
  log.info(`AMI: connecting to ${client.target} (call tracking)`);

  return {
    client,
    tracker,
    feed,
    metrics,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    activeCalls: () => [...tracker.active.values()].map(summarize).sort((a, b) => a.startedAt - b.startedAt),
    health() {
      const status = client.status;
      return {
        state: status.state,
        target: client.target,
        connected_since: iso(status.connectedSince),
        last_event_at: iso(status.lastEventAt),
        reconnects: status.reconnects,
        gaps,
        last_gap_at: iso(lastGapAt),
        last_resync: lastResync,
        resync_error: resyncError,
        active_calls: tracker.active.size,
        queue_depth: queue.depth,
        dropped_events: queue.dropped,
        fully_booted: status.fullyBooted,
        auth_failed: status.authFailed,
        last_error: status.lastError,
        next_attempt_at: iso(status.nextAttemptAt),
      };
    },
    flush() {
      queue.flush();
      writer.flush();
    },
    async stop() {
      stopping = true;
      clearInterval(periodic);
      await client.stop();
      queue.flush();
      writer.flush();
    },
  };
}
