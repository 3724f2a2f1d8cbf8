import { DEFAULTS } from "../smart/directory.ts";
import type { IvrConfig } from "./schema.ts";
import { resolveSecret, secretReference } from "./secret.ts";

/** One line per Smart Redirect enterprise, and what an administrator should know about it. */
export function summarizeSmart(config: IvrConfig, env: NodeJS.ProcessEnv = process.env): Array<{ id: string; description: string; notes: string[] }> {
  return Object.entries(config.smart?.enterprises ?? {}).map(([id, e]) => {
    const users = e.users ?? [];
    const phones = users.reduce((n, user) => n + user.phones.length, 0);
    const lines = Object.keys(e.lines ?? {});
    const parts = [
      e.mode ?? DEFAULTS.mode,
      `rules ${(e.rules ?? DEFAULTS.rules).join(", ")}`,
      ...(e.crm?.length ? [`crm ${e.crm.join(" then ")}`] : []),
      lines.length ? `lines ${lines.join(", ")}` : "no lines (never routes)",
      `${users.length} users, ${phones} phones`,
      e.allow_ips?.length ? `from ${e.allow_ips.join(", ")}` : "from any address",
      `sla ${e.sla_ms ?? DEFAULTS.slaMs} ms`,
    ];
    const notes: string[] = [];
    const variable = secretReference(e.token);
    if (variable && resolveSecret(e.token, env) === undefined) notes.push(`\${${variable}} is not set here: ivr serve needs it in its environment`);
    if (!(e.country ?? config.country)) notes.push("no country: numbers without + cannot be matched to the history (set country:)");
    if ((e.rules ?? []).includes("crm") && !e.crm?.length) notes.push("rule crm is skipped: the enterprise has no crm: list (bitrix24, retailcrm)");
    for (const crm of e.crm ?? []) if (!config.integrations?.[crm]) notes.push(`crm: ${crm} is not configured under integrations: (it is skipped)`);
    return { id, description: parts.join("; "), notes };
  });
}
