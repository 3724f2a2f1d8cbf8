/**
 * A few Prometheus metrics in the text exposition format (version 0.0.4): counters with
 * labels, one histogram, values read when scraped. Small on purpose: what the API and the
 * FastAGI server report, nothing more.
 */
type Labels = Record<string, string>;

const escapeLabel = (value: string) => value.replace(/["\\\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
const labelText = (labels: Labels) => {
  const entries = Object.entries(labels);
  return entries.length ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}` : "";
};

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [labels, value] of this.values) lines.push(`${this.name}${labels} ${value}`);
    return lines.join("\n");
  }
}

export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }
  observe(value: number): void {
    this.sum += value;
    this.count++;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) this.counts[i]!++;
    });
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((bound, i) => lines.push(`${this.name}_bucket{le="${bound}"} ${this.counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`);
    return lines.join("\n");
  }
}

/** A value read when scraped: a gauge, or a counter kept elsewhere (the log sink counts its own drops). */
export class Reading {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly type: "gauge" | "counter",
    private readonly read: () => number,
  ) {}
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, `${this.name} ${this.read()}`].join("\n");
  }
}

export class Gauge extends Reading {
  constructor(name: string, help: string, read: () => number) {
    super(name, help, "gauge", read);
  }
}

/** What ivr serve reports at /metrics. */
export function createMetrics(readings: { fastagiSessions?: () => number; logLinesDropped?: () => number } = {}) {
  const metrics = {
    smartRequests: new Counter("ivr_smart_requests_total", "getcustomerdata requests by outcome"),
    smartLatency: new Histogram("ivr_smart_request_duration_seconds", "getcustomerdata time to answer", [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1]),
    smartCache: new Counter("ivr_smart_cache_total", "Smart Redirect decisions served from the cache (hit) or looked up (miss)"),
    smartRules: new Counter("ivr_smart_decisions_total", "Smart Redirect decisions by the rule that routed them (none when no rule did)"),
    callsRecorded: new Counter("ivr_calls_recorded_total", "IVR calls written to the history, by status"),
    fastagiSessions: new Gauge("ivr_fastagi_sessions", "FastAGI sessions running now", readings.fastagiSessions ?? (() => 0)),
    logLinesDropped: new Reading("ivr_log_lines_dropped_total", "Log lines dropped because stderr was too slow to take them", "counter", readings.logLinesDropped ?? (() => 0)),
  };
  return {
    ...metrics,
    render: () => `${Object.values(metrics).map((metric) => metric.render()).join("\n")}\n`,
  };
}

export type AppMetrics = ReturnType<typeof createMetrics>;
