import type { CampaignSettings, NumberType, OutboundSettings, TrunkSettings } from "../config/outbound-schema.ts";
import type { IvrConfig } from "../config/schema.ts";
import type { NumberRules } from "./numbers.ts";

export const DEFAULT_CONTEXT = "ivr-outbound";
/** Number types dialled unless outbound.numbers.types says otherwise. */
export const DEFAULT_TYPES: readonly NumberType[] = ["fixed_line", "mobile", "fixed_line_or_mobile"];
export const DEFAULTS = {
  ringTimeoutSeconds: 30,
  trunkMaxConcurrent: 10,
  trunkCallsPerSecond: 1,
  campaignConcurrency: 1,
  campaignCallsPerSecond: 1,
  menuAttempts: 2,
  inputTimeoutSeconds: 5,
  dialOptions: "",
} as const;

/** The outbound section with its defaults filled in, as the dialer and the API read it. */
export interface Outbound {
  settings: OutboundSettings;
  context: string;
  ringTimeoutSeconds: number;
  extensionDial: string;
  defaultTrunk: string;
  trunk(name: string): TrunkSettings | undefined;
  campaign(name: string): CampaignSettings | undefined;
  /** The trunk a campaign dials through. */
  campaignTrunk(name: string): string;
  numberRules(enterprise?: string | null): NumberRules;
}

const resolved = new WeakMap<IvrConfig, Outbound>();

/** The outbound settings of a config, or undefined when it has no outbound: section (resolved once per config). */
export function outboundOf(config: IvrConfig): Outbound | undefined {
  if (!config.outbound) return undefined;
  let outbound = resolved.get(config);
  if (!outbound) resolved.set(config, (outbound = resolve(config, config.outbound)));
  return outbound;
}

function resolve(config: IvrConfig, settings: OutboundSettings): Outbound {
  const defaultTrunk = settings.trunk ?? Object.keys(settings.trunks)[0]!;
  const technology = config.smart?.dialplan?.technology ?? "PJSIP";
  return {
    settings,
    context: settings.context ?? DEFAULT_CONTEXT,
    ringTimeoutSeconds: settings.ring_timeout_seconds ?? DEFAULTS.ringTimeoutSeconds,
    extensionDial: settings.extension_dial ?? `${technology}/{ext}`,
    defaultTrunk,
    trunk: (name) => (Object.hasOwn(settings.trunks, name) ? settings.trunks[name] : undefined),
    campaign: (name) => (settings.campaigns && Object.hasOwn(settings.campaigns, name) ? settings.campaigns[name] : undefined),
    campaignTrunk: (name) => settings.campaigns?.[name]?.trunk ?? defaultTrunk,
    numberRules: (enterprise) => ({
      country: settings.country ?? (enterprise ? config.smart?.enterprises?.[enterprise]?.country : undefined) ?? config.country,
      types: settings.numbers?.types ?? DEFAULT_TYPES,
      countries: settings.numbers?.countries ?? [],
    }),
  };
}

/** Problems no single key of outbound: shows (ivr check refuses the config; ivr serve keeps outbound off). */
export function outboundProblems(config: IvrConfig): string[] {
  const settings = config.outbound;
  if (!settings) return [];
  const problems: string[] = [];
  if (!config.ami) problems.push("outbound: needs an ami: section: calls are placed with AMI Originate and followed by the call tracking");
  const schedules = config.schedules ?? {};
  const unknownSchedule = (name: string | undefined) => name !== undefined && !Object.hasOwn(schedules, name);
  if (unknownSchedule(settings.callbacks?.schedule)) problems.push(`outbound.callbacks.schedule: no schedule "${settings.callbacks!.schedule}" under schedules:`);
  const trunks = Object.keys(settings.trunks);
  if (settings.trunk && !trunks.includes(settings.trunk)) problems.push(`outbound.trunk: no trunk "${settings.trunk}" under outbound.trunks`);
  for (const [name, campaign] of Object.entries(settings.campaigns ?? {})) {
    if (unknownSchedule(campaign.schedule)) problems.push(`outbound.campaigns.${name}.schedule: no schedule "${campaign.schedule}" under schedules:`);
    if (campaign.trunk && !trunks.includes(campaign.trunk)) problems.push(`outbound.campaigns.${name}.trunk: no trunk "${campaign.trunk}" under outbound.trunks`);
    if (campaign.enterprise && !Object.hasOwn(config.smart?.enterprises ?? {}, campaign.enterprise)) {
      problems.push(`outbound.campaigns.${name}.enterprise: no enterprise "${campaign.enterprise}" under smart.enterprises`);
    }
    const queues = settings.callbacks?.queues;
    for (const [key, action] of Object.entries(campaign.actions ?? {})) {
      const queue = /^queue (\S+)$/.exec(action.transfer ?? "")?.[1];
      if (queue && queues && !queues.includes(queue)) problems.push(`outbound.campaigns.${name}.actions.${key}.transfer: queue ${queue} is not in outbound.callbacks.queues`);
    }
  }
  const country = settings.country ?? config.country;
  if (!country && !settings.numbers?.countries?.length && !Object.values(config.smart?.enterprises ?? {}).some((e) => e.country)) {
    problems.push("outbound: no country (outbound.country, country, or outbound.numbers.countries): no number could be called");
  }
  return problems;
}
