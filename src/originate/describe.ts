import type { IvrConfig } from "../config/schema.ts";
import { resolveSecret, secretReference } from "../config/secret.ts";
import { DEFAULTS, outboundOf } from "./settings.ts";

/** `ivr check`'s lines about the outbound: section: where calls land, trunks, campaigns, clients, what to do next. */
export function describeOutbound(config: IvrConfig, env: NodeJS.ProcessEnv = process.env): { description: string; lines: string[]; notes: string[] } | undefined {
  const outbound = outboundOf(config);
  if (!outbound) return undefined;
  const { settings } = outbound;
  const fastagi = settings.fastagi ?? config.server?.fastagi ?? "127.0.0.1:4573";
  const lines: string[] = [];
  for (const [name, trunk] of Object.entries(settings.trunks)) {
    lines.push(
      `trunk ${name}${name === outbound.defaultTrunk ? " (default)" : ""}: ${trunk.dial}, ${trunk.max_concurrent ?? DEFAULTS.trunkMaxConcurrent} calls at once, ${trunk.calls_per_second ?? DEFAULTS.trunkCallsPerSecond} a second`,
    );
  }
  for (const [name, campaign] of Object.entries(settings.campaigns ?? {})) {
    const keys = Object.entries(campaign.actions ?? {}).map(([key, action]) => `${key}→${action.event ?? (action.opt_out ? "opt out" : action.transfer ?? "hang up")}`);
    const retry = Object.entries(campaign.retry ?? {}).map(([outcome, rule]) => `${outcome} ${rule.attempts}x every ${rule.interval_seconds} s`);
    lines.push(
      `campaign ${name}: ${campaign.sound}; keys ${keys.join(" ") || "none"}; ${campaign.concurrency ?? DEFAULTS.campaignConcurrency} at once, ${campaign.calls_per_second ?? DEFAULTS.campaignCallsPerSecond} a second` +
        `${retry.length ? `; retry ${retry.join(", ")}` : ""}${campaign.schedule ? `; schedule ${campaign.schedule}` : ""}; trunk ${outbound.campaignTrunk(name)}`,
    );
  }
  const notes: string[] = [];
  for (const [name, client] of Object.entries(settings.clients ?? {})) {
    const variable = secretReference(client.token);
    lines.push(`client ${name}: POST /api/originate for ${(client.kinds ?? ["click-to-call", "callback", "message"]).join(", ")}`);
    if (variable && resolveSecret(client.token, env) === undefined) notes.push(`\${${variable}} (client ${name}'s token) is not set here: ivr serve needs it in its environment`);
  }
  const rules = outbound.numberRules();
  notes.push(`numbers dialled: ${rules.types.join(", ")} in ${[rules.country, ...(rules.countries === "any" ? ["any country"] : rules.countries)].filter(Boolean).join(", ")}; the rest refused (toll fraud)`);
  notes.push("the AMI user needs write = originate,call (Originate into the context, Hangup to cancel), never system: ivr ami --manager-conf prints it");
  notes.push(`extensions.conf needs the [${outbound.context}] context: ivr dialplan prints it (or writes it with the Smart Redirect block)`);
  if (settings.callbacks?.schedule) notes.push(`callbacks are dialled only while schedule ${settings.callbacks.schedule} is open (its API overrides count); one asked for while it is closed waits for the opening`);
  return { description: `calls land in [${outbound.context}], which runs AGI(agi://${fastagi}/outbound)`, lines, notes };
}
