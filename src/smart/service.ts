import { createHash, timingSafeEqual } from "node:crypto";
import { resolveSecret, secretReference } from "../config/secret.ts";
import type { IvrConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { configHours, type HoursSource } from "../schedules/hours.ts";
import { TtlCache } from "./cache.ts";
import { type Verdict, type Decision, type DecisionRequest, decide, type SmartSources } from "./decide.ts";
import type { DecisionLog } from "./decision-log.ts";
import { buildDirectory, DEFAULTS, type Enterprise } from "./directory.ts";

export interface SmartServiceDeps {
  /** The config in force; a new generation rebuilds the directory and empties the cache. */
  snapshot: () => { config: IvrConfig; generation: number };
  sources: SmartSources;
  decisionLog?: DecisionLog;
  log: Logger;
  env?: NodeJS.ProcessEnv;
  /** Wall clock for the cache's TTL. */
  clock?: () => number;
  /** Enterprises' schedules with their overrides; without it, the config's schedules alone. */
  hours?: HoursSource;
}

const digest = (value: string) => createHash("sha256").update(value).digest();

/** Smart Redirect as the API and the FastAGI script use it: the config in force, its cache, its log. */
export class SmartService {
  private generation = -1;
  private directory = new Map<string, Enterprise>();
  private tokens: Array<{ enterprise: Enterprise; digest: Buffer }> = [];
  private cache = new TtlCache<Verdict>(0);

  constructor(private readonly deps: SmartServiceDeps) {}

  enterprise(id: string): Enterprise | undefined {
    return this.current().get(id);
  }

  /**
   * The enterprise whose token this is. Every enterprise's token is compared, in constant
   * time on fixed-length digests, so neither the time nor an early exit tells how close a
   * guess was or which enterprise exists.
   */
  byToken(token: string): Enterprise | undefined {
    this.current();
    const candidate = digest(token);
    let found: Enterprise | undefined;
    for (const entry of this.tokens) {
      if (timingSafeEqual(candidate, entry.digest)) found = entry.enterprise;
    }
    return found;
  }

  /** A decision for the PBX: cached, and logged (database row and JSON line). */
  async decide(enterprise: Enterprise, request: DecisionRequest, meta: { via: "http" | "agi"; uniqueid?: string }): Promise<Decision> {
    this.current();
    const decision = await decide(enterprise, request, { sources: this.deps.sources, cache: this.cache, hours: this.hours() });
    this.deps.decisionLog?.write({ at: Date.now(), via: meta.via, enterprise: enterprise.id, uniqueid: meta.uniqueid, request, decision });
    return decision;
  }

  /**
   * The decision as the PBX asks it from the dialplan (the smart FastAGI script, the IVR's
   * `smart:` option): by enterprise id, routing wanted. Undefined when there is no such enterprise.
   */
  async decideFor(enterpriseId: string, request: { phone: string; line: string }, uniqueid: string): Promise<Decision | undefined> {
    const enterprise = this.enterprise(enterpriseId);
    return enterprise ? this.decide(enterprise, { ...request, loadDialPlan: true }, { via: "agi", uniqueid }) : undefined;
  }

  /** The only enterprise, when there is exactly one (so the dialplan need not name it). */
  soleEnterprise(): Enterprise | undefined {
    const all = [...this.current().values()];
    return all.length === 1 ? all[0] : undefined;
  }

  /** The test call: the same decision, explained, with nothing cached or logged. */
  explain(enterprise: Enterprise, request: DecisionRequest): Promise<Decision> {
    this.current();
    return decide(enterprise, request, { sources: this.deps.sources, hours: this.hours() });
  }

  private hours(): HoursSource {
    return this.deps.hours ?? configHours(this.deps.snapshot().config);
  }

  clearCache(): number {
    return this.cache.clear();
  }

  /**
   * A new call of this number is in the history: what was cached about it (a no_match from
   * before the call, a manager who is no longer the last one) is dropped. Give every form
   * the number is stored in (E.164, raw). Returns the entries dropped.
   */
  forgetPhone(...forms: Array<string | null | undefined>): number {
    let dropped = 0;
    for (const form of new Set(forms.map((f) => f?.trim()))) if (form) dropped += this.cache.invalidate(form);
    return dropped;
  }

  private current(): Map<string, Enterprise> {
    const { config, generation } = this.deps.snapshot();
    if (generation === this.generation) return this.directory;
    this.generation = generation;
    this.directory = buildDirectory(config.smart, config.country);
    this.tokens = [];
    for (const enterprise of this.directory.values()) {
      const token = resolveSecret(enterprise.token, this.deps.env);
      if (token === undefined) {
        this.deps.log.error(`smart: enterprise ${enterprise.id}: its token refers to \${${secretReference(enterprise.token)}}, which is not set; its requests are refused`);
        continue;
      }
      this.tokens.push({ enterprise, digest: digest(token) });
    }
    this.cache = new TtlCache((config.smart?.cache_ttl_seconds ?? DEFAULTS.cacheTtlSeconds) * 1000, this.deps.clock);
    return this.directory;
  }
}
