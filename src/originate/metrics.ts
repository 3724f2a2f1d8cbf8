import { Counter } from "../http/metrics.ts";
import type { Tracker } from "../tracking/tracker.ts";
import type { Campaigns } from "./campaign.ts";
import type { Dialer } from "./dialer.ts";

const escape = (value: string) => value.replace(/["\\\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));

/**
 * Outbound in Prometheus text: dials ended by kind and outcome (counted as they end), calls
 * in flight per trunk, and each campaign's progress read from the queue when scraped
 * (numbers by state, attempts dialled, answered, every menu action's count).
 */
export class OutboundMetrics {
  readonly ended = new Counter("ivr_originate_ended_total", "Outbound dials ended (retries included), by kind and outcome");
  private readonly off: () => void;

  constructor(
    private readonly campaigns: Campaigns,
    private readonly dialer: Dialer,
    tracker: Tracker,
  ) {
    this.off = tracker.bus.on("originate.ended", ({ dial }) => this.ended.inc({ kind: dial.kind, outcome: dial.outcome ?? "unknown" }));
  }

  stop(): void {
    this.off();
  }

  render(): string {
    const lines = [this.ended.render()];
    const gauge = (name: string, help: string, values: Array<[Record<string, string>, number]>) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
      for (const [labels, value] of values) {
        const text = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`).join(",");
        lines.push(`${name}${text ? `{${text}}` : ""} ${value}`);
      }
    };
    gauge("ivr_originate_in_flight", "Outbound calls being placed or in progress", [[{}, this.dialer.flights.size]]);
    gauge("ivr_originate_ready", "1 when the dialer may place calls (AMI connected, the PBX's channels known)", [[{}, this.dialer.readiness().ready ? 1 : 0]]);
    const numbers: Array<[Record<string, string>, number]> = [];
    const dialed: Array<[Record<string, string>, number]> = [];
    const answered: Array<[Record<string, string>, number]> = [];
    const actions: Array<[Record<string, string>, number]> = [];
    const running: Array<[Record<string, string>, number]> = [];
    for (const campaign of this.campaigns.names()) {
      const progress = this.campaigns.progress(campaign);
      for (const [state, n] of Object.entries(progress.states)) numbers.push([{ campaign, state }, n]);
      dialed.push([{ campaign }, progress.dialed]);
      answered.push([{ campaign }, progress.answered]);
      running.push([{ campaign }, progress.state === "running" ? 1 : 0]);
      for (const [action, n] of Object.entries(progress.actions)) actions.push([{ campaign, action }, n]);
    }
    gauge("ivr_campaign_numbers", "Numbers of each campaign, by state", numbers);
    gauge("ivr_campaign_dialed", "Calls placed by each campaign (every attempt)", dialed);
    gauge("ivr_campaign_answered", "Numbers of each campaign whose call was answered", answered);
    gauge("ivr_campaign_actions", "Keys pressed in each campaign's menu, by what they did (an event, opt_out, transfer, hangup, invalid, timeout)", actions);
    gauge("ivr_campaign_running", "1 while the campaign is running", running);
    return `${lines.join("\n")}\n`;
  }
}
