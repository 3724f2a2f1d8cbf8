import type { EnterpriseSettings, SmartMode, SmartRule, SmartSettings, SmartUser } from "../config/smart-schema.ts";

/** An enterprise's config, indexed for lookups by token holder, line and extension. */
export interface Enterprise {
  readonly id: string;
  readonly token: string;
  readonly mode: SmartMode;
  readonly rules: readonly SmartRule[];
  /** The CRMs asked for the caller's name and manager, primary first (empty: none). */
  readonly crm: readonly string[];
  readonly country: string | undefined;
  readonly allowIps: readonly string[];
  readonly slaMs: number;
  readonly ratePerSecond: number;
  /** Lines (TrunkId) with Smart Redirect on, and their fallback contexts. */
  readonly lines: ReadonlyMap<string, { fallback?: string }>;
  /** Internal number -> the phone that has it and its owner. */
  readonly phones: ReadonlyMap<string, { phoneId: number; user: SmartUser }>;
  /** Outside this schedule's hours nobody is routed to a manager. */
  readonly schedule: string | undefined;
}

export const DEFAULTS = {
  mode: "routing+name" as SmartMode,
  rules: ["last_call", "first_call"] as SmartRule[],
  slaMs: 300,
  /**
   * Requests a second per token and address, bursts of twice that. A good token is a PBX
   * asking for its calls: even a call centre's calls after an outage, or a campaign's
   * call-backs, arrive far below this (one Asterisk sets up a few hundred calls a second at
   * most). It only stops a runaway loop; guessing tokens has its own strict limit.
   */
  ratePerSecond: 1000,
  cacheTtlSeconds: 60,
};

export function buildEnterprise(id: string, settings: EnterpriseSettings, defaultCountry: string | undefined): Enterprise {
  const phones = new Map<string, { phoneId: number; user: SmartUser }>();
  for (const user of settings.users ?? []) {
    for (const phone of user.phones) phones.set(phone.number, { phoneId: phone.id, user });
  }
  const lines = new Map<string, { fallback?: string }>();
  for (const [line, lineSettings] of Object.entries(settings.lines ?? {})) lines.set(line, lineSettings ?? {});
  return {
    id,
    token: settings.token,
    mode: settings.mode ?? DEFAULTS.mode,
    rules: settings.rules ?? DEFAULTS.rules,
    crm: settings.crm ?? [],
    country: settings.country ?? defaultCountry,
    allowIps: settings.allow_ips ?? [],
    slaMs: settings.sla_ms ?? DEFAULTS.slaMs,
    ratePerSecond: settings.rate_limit_per_second ?? DEFAULTS.ratePerSecond,
    lines,
    phones,
    schedule: settings.schedule,
  };
}

export function buildDirectory(smart: SmartSettings | undefined, defaultCountry: string | undefined): Map<string, Enterprise> {
  const directory = new Map<string, Enterprise>();
  for (const [id, settings] of Object.entries(smart?.enterprises ?? {})) directory.set(id, buildEnterprise(id, settings, defaultCountry));
  return directory;
}
