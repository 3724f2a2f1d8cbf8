import { Counter, Gauge } from "../http/metrics.ts";

/** Distinct event names counted before the rest go under "other": a peer must not grow the metrics without bound. */
const MAX_EVENT_LABELS = 300;

/** What the AMI connection and the call tracker report at /metrics. */
export function createTrackingMetrics(read: { connected: () => number; queueDepth: () => number; queueHighWater: () => number; activeCalls: () => number }) {
  // Counted for every event, so kept in a plain map rather than a labelled Counter.
  const eventCounts = new Map<string, number>();
  const events = {
    render: () =>
      [
        "# HELP ivr_ami_events_total AMI events received, by event name",
        "# TYPE ivr_ami_events_total counter",
        ...[...eventCounts].map(([name, n]) => `ivr_ami_events_total{event="${name.replace(/["\\\n]/g, "_")}"} ${n}`),
      ].join("\n"),
  };
  const metrics = {
    events,
    reconnects: new Counter("ivr_ami_reconnects_total", "AMI logins after the first"),
    gaps: new Counter("ivr_ami_gaps_total", "times events may have been missed (disconnect, overflow, refused message), by cause"),
    resyncs: new Counter("ivr_ami_resyncs_total", "CoreShowChannels reconciliations, by outcome"),
    dropped: new Counter("ivr_ami_dropped_events_total", "events dropped because the tracker's queue was full (each drop is a gap and a resync)"),
    callsTracked: new Counter("ivr_calls_tracked_total", "calls seen on AMI and written to the history, by direction and status"),
    connected: new Gauge("ivr_ami_connected", "1 while logged in to AMI", read.connected),
    queueDepth: new Gauge("ivr_ami_queue_depth", "AMI events read but not yet tracked", read.queueDepth),
    queueHighWater: new Gauge("ivr_ami_queue_high_water", "the deepest the AMI event queue has been", read.queueHighWater),
    activeCalls: new Gauge("ivr_calls_active", "calls in progress (AMI)", read.activeCalls),
  };
  return {
    ...metrics,
    countEvent(name: string): void {
      const n = eventCounts.get(name);
      if (n !== undefined) eventCounts.set(name, n + 1);
      else if (eventCounts.size < MAX_EVENT_LABELS) eventCounts.set(name, 1);
      else eventCounts.set("other", (eventCounts.get("other") ?? 0) + 1);
    },
    render: () => `${Object.values(metrics).map((metric) => metric.render()).join("\n")}\n`,
  };
}

export type TrackingMetrics = ReturnType<typeof createTrackingMetrics>;
