import type { AgiHandler } from "../agi/handler.ts";
import type { IvrConfig } from "../config/schema.ts";
import type { History } from "../history/db.ts";
import type { NewCallRow } from "../history/schema.ts";
import type { Logger } from "../log.ts";
import type { CallTracking } from "../tracking/service.ts";
import { outboundScript } from "./agi-script.ts";
import { Campaigns } from "./campaign.ts";
import { type AmiLink, Dialer } from "./dialer.ts";
import { DoNotCall } from "./dnc.ts";
import type { OutboundOutbox } from "./events.ts";
import { alwaysOpen, type BusinessHours } from "./hours.ts";
import { OutboundMetrics } from "./metrics.ts";
import { dialPlacer, type Placed } from "./place.ts";
import type { Caller } from "./request.ts";
import { type Outbound, outboundOf, outboundProblems } from "./settings.ts";
import { DialStore } from "./store.ts";

export interface OutboundOptions {
  config: () => IvrConfig;
  tracking: CallTracking;
  history: History;
  log: Logger;
  /** Where the outbound script's call records go (ivr serve's write queue). */
  record: (row: NewCallRow) => void;
  /** Business hours: ivr serve passes the schedules: section with its overrides (scheduleHours); every schedule open without. */
  hours?: BusinessHours;
  env?: NodeJS.ProcessEnv;
  clock?: () => number;
  /** The outbound events for the webhooks (the integrations' outbox). */
  outbox?: OutboundOutbox;
}

export interface OutboundService {
  readonly store: DialStore;
  readonly dnc: DoNotCall;
  readonly dialer: Dialer;
  readonly campaigns: Campaigns;
  readonly metrics: OutboundMetrics;
  readonly hours: BusinessHours;
  /** agi://.../outbound */
  readonly script: AgiHandler;
  /** One call asked for (the API, the operator page, a CRM): checked and queued, or refused with the reason. */
  place(body: unknown, caller: Caller): Placed;
  settings(): Outbound | undefined;
  health(): { state: string; reason: string | null; in_flight: number };
  stop(): void;
}

/** The AMI connection as the dialer sees it. */
export function amiLink(tracking: CallTracking): AmiLink {
  return {
    send: (fields) => tracking.client.send(fields),
    connected: () => tracking.client.status.state === "connected",
    lastResyncAt: () => {
      const at = tracking.health().last_resync?.at;
      return at ? Date.parse(at) : null;
    },
    onEvent: (listener) => tracking.client.bus.on("event", ({ message }) => listener(message)),
  };
}

/**
 * Outbound calls in ivr serve, when the config has an outbound: section and an ami: one
 * (calls are placed with Originate and followed by the call tracking): the dial queue, the
 * dialer, campaigns, the outbound FastAGI script, metrics. Undefined otherwise.
 */
export function startOutboundIfConfigured(options: Omit<OutboundOptions, "tracking"> & { tracking: CallTracking | undefined }): OutboundService | undefined {
  const config = options.config();
  if (!config.outbound) return undefined;
  const problems = outboundProblems(config);
  if (!options.tracking || problems.length) {
    for (const problem of problems.length ? problems : ["outbound: needs an ami: section"]) options.log.error(`${problem}: outbound calls are off`);
    return undefined;
  }
  return startOutbound({ ...options, tracking: options.tracking });
}

export function startOutbound(options: OutboundOptions): OutboundService {
  const { history, log, tracking } = options;
  const clock = options.clock ?? Date.now;
  const settings = () => outboundOf(options.config());
  const hours = options.hours ?? alwaysOpen;
  const store = new DialStore(history);
  const dnc = new DoNotCall(history);
  const tracker = tracking.tracker;
  const campaigns = new Campaigns({ history, store, dnc, tracker, outbound: settings, log, clock, outbox: options.outbox });
  const dialer = new Dialer({ store, dnc, tracker, ami: amiLink(tracking), outbound: settings, hours, campaigns, log, clock, outbox: options.outbox });
  campaigns.attach(dialer);
  const metrics = new OutboundMetrics(campaigns, dialer, tracker);

  const script = outboundScript({
    dialOf: (callId) => dialer.flights.dialOf(callId),
    outbound: settings,
    answered: (callId) => dialer.flights.agiAnswered(callId),
    pressed: (dial, callId, key, action) => dialer.persist(() => store.recordKey({ dialId: dial.id, callId, campaign: dial.campaign, at: clock(), key, action })),
    event: (dial, name, key) => dialer.keyAction(dial, { key, action: "event", event: name }),
    optOut: (dial, key) => {
      dialer.keyAction(dial, { key, action: "opt_out" }, () => void dnc.add(dial.number, "opt_out", { campaign: dial.menu, at: clock() }));
      log.info(`outbound ${dial.id}: ${dial.number} opted out (key ${key}): on the do-not-call list`);
    },
    finished: (dial, _callId, keys) => {
      if (keys.length) dialer.change(dial, { keys: keys.join(",") });
    },
    record: options.record,
    clock,
  });

  const place = dialPlacer({ config: options.config, settings, hours, dnc, dialer, clock });

  dialer.start();
  const running = campaigns.running();
  log.info(`outbound: on (context ${settings()?.context}); ${running.length ? `campaigns running: ${running.join(", ")}` : "no campaign running"}`);

  return {
    store,
    dnc,
    dialer,
    campaigns,
    metrics,
    hours,
    script,
    place,
    settings,
    health() {
      const readiness = dialer.readiness();
      return { state: readiness.ready ? "ready" : "waiting", reason: readiness.ready ? null : readiness.reason, in_flight: dialer.flights.size };
    },
    stop() {
      dialer.stop();
      metrics.stop();
    },
  };
}
