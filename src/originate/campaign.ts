import type { Statement } from "bun:sqlite";
import type { History } from "../history/db.ts";
import type { Logger } from "../log.ts";
import type { Tracker } from "../tracking/tracker.ts";
import type { CampaignRuns, Dialer } from "./dialer.ts";
import type { DoNotCall } from "./dnc.ts";
import { campaignEventKey, campaignOutboxEvent, type CampaignStateEventType, NO_OUTBOX, type OutboundOutbox, progressJson } from "./events.ts";
import { newDialId } from "./ids.ts";
import { checkNumber } from "./numbers.ts";
import type { Outbound } from "./settings.ts";
import type { CampaignCounts, DialStore, NewDial } from "./store.ts";
import type { CampaignState } from "./types.ts";

export { CAMPAIGN_STATES, type CampaignState } from "./types.ts";

interface CampaignRow {
  name: string;
  state: CampaignState;
  createdAt: number;
  updatedAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface NumberEntry {
  number: string;
  /** The CSV row's other columns, or what the API gave with the number. */
  data?: unknown;
  /** Where it came from in an upload (a CSV line), for the refusals. */
  line?: number;
}

export interface AddResult {
  added: number;
  duplicates: number;
  refused: Array<{ line?: number; number: string; reason: string }>;
}

export interface CampaignProgress extends CampaignCounts {
  name: string;
  state: CampaignState;
  answered: number;
  inProgress: number;
  queued: number;
  actions: Record<string, number>;
  startedAt: number | null;
  finishedAt: number | null;
}

/** Which state changes a command makes. */
const COMMANDS = {
  start: { from: ["idle", "paused", "done"], to: "running", event: "campaign.started" },
  pause: { from: ["running"], to: "paused", event: "campaign.paused" },
  resume: { from: ["paused"], to: "running", event: "campaign.resumed" },
  cancel: { from: ["idle", "running", "paused", "done"], to: "cancelled", event: "campaign.cancelled" },
} as const satisfies Record<string, { from: readonly CampaignState[]; to: CampaignState; event: CampaignStateEventType }>;
export type CampaignCommand = keyof typeof COMMANDS;

export class CampaignError extends Error {
  override name = "CampaignError";
  constructor(
    message: string,
    readonly status: 404 | 409,
  ) {
    super(message);
  }
}

/**
 * Campaigns: their definitions are in the config (outbound.campaigns), their numbers in the
 * dial queue, their state here (in the history database, so a restart resumes a running
 * campaign). A campaign is idle until started; running dials its numbers under its
 * concurrency, pace and schedule; paused stops new calls (those in progress go on);
 * cancelled also drops the numbers not yet called; done when every number has its outcome
 * (adding numbers to a done campaign runs it again).
 */
export class Campaigns implements CampaignRuns {
  private readonly rows = new Map<string, CampaignRow>();
  private readonly upsert: Statement;
  private dialer: Dialer | undefined;

  constructor(
    private readonly options: {
      history: History;
      store: DialStore;
      dnc: DoNotCall;
      tracker: Tracker;
      outbound: () => Outbound | undefined;
      log: Logger;
      clock?: () => number;
      /** campaign.* for the webhooks, stored with the state change (none: the bus only). */
      outbox?: OutboundOutbox;
    },
  ) {
    const db = options.history.sqlite;
    for (const row of db.prepare("SELECT name, state, created_at AS createdAt, updated_at AS updatedAt, started_at AS startedAt, finished_at AS finishedAt FROM outbound_campaigns").all() as CampaignRow[]) {
      this.rows.set(row.name, row);
    }
    this.upsert = db.prepare(
      `INSERT INTO outbound_campaigns (name, state, created_at, updated_at, started_at, finished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT (name) DO UPDATE SET state = ?2, updated_at = ?4, started_at = ?5, finished_at = ?6`,
    );
  }

  attach(dialer: Dialer): void {
    this.dialer = dialer;
  }

  private get now(): number {
    return (this.options.clock ?? Date.now)();
  }

  /** Campaigns that may dial: running, and still in the config. */
  running(): string[] {
    const outbound = this.options.outbound();
    if (!outbound) return [];
    return [...this.rows.values()].filter((row) => row.state === "running" && outbound.campaign(row.name)).map((row) => row.name);
  }

  names(): string[] {
    return Object.keys(this.options.outbound()?.settings.campaigns ?? {});
  }

  state(name: string): CampaignState {
    return this.rows.get(name)?.state ?? "idle";
  }

  command(name: string, command: CampaignCommand): CampaignState {
    this.defined(name);
    const rule = COMMANDS[command];
    const state = this.state(name);
    if (!(rule.from as readonly CampaignState[]).includes(state)) throw new CampaignError(`campaign ${name} is ${state}: it cannot be told to ${command}`, 409);
    const dropped = this.transition(name, rule.to, rule.event, () => (command === "cancel" ? this.options.store.cancelQueued(name, this.now) : 0));
    if (command === "cancel") this.options.log.info(`campaign ${name}: cancelled; ${dropped} numbers not called will not be`);
    if (rule.to === "running") this.maybeDone(name);
    this.dialer?.wake();
    return this.state(name);
  }

  /** Adds numbers (validated, the do-not-call list and duplicates left out) in one transaction. */
  addNumbers(name: string, entries: readonly NumberEntry[]): AddResult {
    const campaign = this.defined(name);
    const outbound = this.options.outbound()!;
    const state = this.state(name);
    if (state === "cancelled") throw new CampaignError(`campaign ${name} is cancelled: numbers cannot be added`, 409);
    const rules = outbound.numberRules(campaign.enterprise);
    const result: AddResult = { added: 0, duplicates: 0, refused: [] };
    const seen = new Set<string>();
    const dials: NewDial[] = [];
    const now = this.now;
    for (const entry of entries) {
      const checked = checkNumber(entry.number, rules);
      if (!checked.ok) {
        result.refused.push({ line: entry.line, number: entry.number, reason: checked.reason });
        continue;
      }
      if (this.options.dnc.blocks(checked.e164)) {
        result.refused.push({ line: entry.line, number: checked.e164, reason: "on the do-not-call list" });
        continue;
      }
      if (seen.has(checked.e164) || this.options.store.campaignHas(name, checked.e164)) {
        result.duplicates++;
        continue;
      }
      seen.add(checked.e164);
      dials.push({
        id: newDialId(now),
        kind: "message",
        campaign: name,
        client: "admin",
        enterprise: campaign.enterprise ?? null,
        number: checked.e164,
        numberRaw: entry.number,
        extension: null,
        queue: null,
        menu: name,
        trunk: outbound.campaignTrunk(name),
        schedule: null,
        data: entry.data === undefined ? null : JSON.stringify(entry.data),
        notBefore: now,
      });
    }
    this.options.store.insertMany(dials, now);
    result.added = dials.length;
    // A done campaign given new numbers runs again: started, as by the start command.
    if (dials.length && state === "done") this.transition(name, "running", "campaign.started");
    if (!this.rows.has(name)) this.set(name, "idle");
    this.dialer?.wake();
    return result;
  }

  /** A dial of the campaign ended: when none is left, the campaign is done. */
  maybeDone(name: string): void {
    if (this.state(name) !== "running" || this.options.store.campaignOpen(name)) return;
    this.transition(name, "done", "campaign.done");
    this.options.log.info(`campaign ${name}: done, every number has its outcome`);
  }

  progress(name: string): CampaignProgress {
    this.defined(name);
    const counts = this.options.store.campaignCounts(name);
    const row = this.rows.get(name);
    const { states } = counts;
    return {
      name,
      state: this.state(name),
      ...counts,
      answered: counts.outcomes.answered ?? 0,
      inProgress: states.claimed + states.dialing + states.ringing + states.answered,
      queued: states.queued,
      actions: this.options.store.actionCounts(name),
      startedAt: row?.startedAt ?? null,
      finishedAt: row?.finishedAt ?? null,
    };
  }

  private defined(name: string) {
    const campaign = this.options.outbound()?.campaign(name);
    if (!campaign) throw new CampaignError(`no campaign "${name}" under outbound.campaigns`, 404);
    return campaign;
  }

  private set(name: string, state: CampaignState): void {
    const now = this.now;
    const previous = this.rows.get(name);
    const row: CampaignRow = {
      name,
      state,
      createdAt: previous?.createdAt ?? now,
      updatedAt: now,
      startedAt: state === "running" ? (previous?.startedAt ?? now) : (previous?.startedAt ?? null),
      finishedAt: state === "done" || state === "cancelled" ? now : null,
    };
    this.upsert.run(row.name, row.state, row.createdAt, row.updatedAt, row.startedAt, row.finishedAt);
    this.rows.set(name, row);
  }

  /**
   * A state change (with `alsoWrite`, e.g. a cancel's queued numbers) and its event: written
   * in one transaction, the event's progress read inside it; then the bus. Returns what
   * `alsoWrite` returned.
   */
  private transition<T>(name: string, state: CampaignState, type: CampaignStateEventType, alsoWrite: () => T = () => undefined as T): T {
    const outbox = this.options.outbox ?? NO_OUTBOX;
    const event = { campaign: name, at: this.now };
    const result = outbox.withWrite(
      campaignEventKey(name),
      () => {
        const result = alsoWrite();
        this.set(name, state);
        return result;
      },
      () => (outbox.wants(type) ? [campaignOutboxEvent(type, event, () => progressJson(this.progress(name)))] : []),
    );
    const bus = this.options.tracker.bus;
    if (bus.has(type)) bus.emit(type, event);
    return result;
  }
}
