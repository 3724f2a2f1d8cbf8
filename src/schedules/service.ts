import type { IvrConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { effectiveNextOpening, effectiveOpenAt, effectiveStateAt, type EffectiveState, type Override, overrideActive } from "./overrides.ts";
import type { HoursSource } from "./hours.ts";
import type { OverrideStore } from "./store.ts";
import type { ScheduleSettings } from "./types.ts";

export interface ScheduleServiceDeps {
  /** The config in force (its schedules: section). */
  snapshot: () => { config: IvrConfig };
  /** Where overrides are kept; without one they live in memory only. */
  store?: OverrideStore;
  /** Wall clock, ms. */
  clock?: () => number;
  log: Logger;
}

/**
 * The schedules of ivr serve: the config's, with the overrides set over the API, which are
 * loaded from the store at start and written through to it (so per-call processes see them
 * and they outlive a restart). Everything that asks "open now?" in the server asks this:
 * the FastAGI IVR, Smart Redirect, callbacks and campaigns. Times are ms or Dates; without
 * one, now.
 */
export class ScheduleService {
  private readonly overrides: Map<string, Override>;
  private readonly clock: () => number;

  constructor(private readonly deps: ScheduleServiceDeps) {
    this.clock = deps.clock ?? Date.now;
    this.overrides = new Map();
    try {
      for (const [name, override] of deps.store?.all() ?? []) this.overrides.set(name, override);
    } catch (error) {
      deps.log.error(`schedules: the stored overrides cannot be read (${(error as Error).message}); the schedules rule alone until one is set again`);
    }
  }

  names(): string[] {
    return Object.keys(this.deps.snapshot().config.schedules ?? {});
  }

  settings(name: string): ScheduleSettings | undefined {
    const schedules = this.deps.snapshot().config.schedules ?? {};
    return Object.hasOwn(schedules, name) ? schedules[name] : undefined;
  }

  /** The override set on a schedule, if one is in force. */
  override(name: string, at: Date | number = this.clock()): Override | undefined {
    const override = this.overrides.get(name);
    const settings = this.settings(name);
    return override && settings && overrideActive(settings, override, at) ? override : undefined;
  }

  /** The cheap question a call asks: open or closed, and why (undefined: no such schedule). */
  readonly hours: HoursSource = (name, at) => {
    const settings = this.settings(name);
    return settings && effectiveOpenAt(settings, this.overrides.get(name), at);
  };

  isOpen(name: string, at: Date | number = this.clock()): boolean | undefined {
    const settings = this.settings(name);
    return settings && effectiveOpenAt(settings, this.overrides.get(name), at).open;
  }

  /** State, reason, next change and override: what GET /api/schedules shows. */
  state(name: string, at: Date | number = this.clock()): EffectiveState | undefined {
    const settings = this.settings(name);
    if (!settings) return undefined;
    this.forgetExpired(name, settings, at);
    return effectiveStateAt(settings, this.overrides.get(name), at);
  }

  /** When to place a call that must wait for opening hours: `at` itself when open then; null when it does not open ahead. */
  nextOpening(name: string, at: Date | number = this.clock()): Date | null | undefined {
    const settings = this.settings(name);
    return settings && effectiveNextOpening(settings, this.overrides.get(name), at);
  }

  /**
   * Forces a schedule open or closed, until its next scheduled change or until cleared; it
   * replaces any override before it. Written to the store first: throws if that fails (nothing
   * changes). Undefined for a schedule the config does not have.
   */
  setOverride(name: string, state: Override["state"], until: Override["until"], at: Date | number = this.clock()): EffectiveState | undefined {
    const settings = this.settings(name);
    if (!settings) return undefined;
    const override: Override = { state, until, setAt: typeof at === "number" ? at : at.getTime() };
    this.deps.store?.put(name, override);
    this.overrides.set(name, override);
    this.deps.log.info(`schedules: ${name} forced ${state} ${until === "cleared" ? "until cleared" : "until its next scheduled change"}`);
    return effectiveStateAt(settings, override, at);
  }

  /** Removes a schedule's override (also one left by a schedule no longer in the config); false when there was none. */
  clearOverride(name: string): boolean {
    if (!this.overrides.has(name)) return false;
    this.deps.store?.remove(name);
    this.overrides.delete(name);
    this.deps.log.info(`schedules: ${name}: override cleared; the schedule rules`);
    return true;
  }

  /** A temporary override that has ended is dropped, from the store too (best effort: it is ignored anyway). */
  private forgetExpired(name: string, settings: ScheduleSettings, at: Date | number): void {
    const override = this.overrides.get(name);
    if (!override || overrideActive(settings, override, at) || (typeof at === "number" ? at : at.getTime()) < override.setAt) return;
    this.overrides.delete(name);
    try {
      this.deps.store?.remove(name);
    } catch (error) {
      this.deps.log.warn(`schedules: ${name}: the ended override could not be removed from the history (${(error as Error).message})`);
    }
  }
}
