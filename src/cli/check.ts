import { summarize } from "../config/describe.ts";
import { summarizeSmart } from "../config/describe-smart.ts";
import type { IvrConfig } from "../config/schema.ts";
import { didsWithoutCountry } from "../history/country.ts";
import { databasePath } from "../history/location.ts";
import { DEFAULT_RETENTION_DAYS } from "../history/retention.ts";
import { loadConfigFile } from "../config/load.ts";
import { parseFlags } from "./args.ts";
import { locateConfig, orCommandFailure } from "./load-config.ts";

/** `ivr check`: validates the config and says what every DID's callers will get. */
export async function runCheck(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { config: { type: "string" } });
  const location = locateConfig(values.config);
  const { config } = orCommandFailure(() => loadConfigFile(location.path));
  const out: string[] = [`✓ ${location.path} is valid (found by ${location.how})`, ""];
  const summaries = summarize(config);
  out.push(...table(summaries.map(({ did, description, notes }) => ({ name: did, description, notes }))));
  const dids = summaries.length - 1;
  out.push("", `${dids} DID${dids === 1 ? "" : "s"} configured; any other DID gets the default menu.`);
  out.push(...historyLines(config, location.path));
  out.push(...countryWarnings(config));
  const enterprises = summarizeSmart(config);
  if (enterprises.length) {
    out.push("", "Smart Redirect:", ...table(enterprises.map(({ id, description, notes }) => ({ name: id, description, notes })), "  "));
  }
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}

/**
 * Where calls are recorded, as a per-call process (which gets no --db) would resolve it.
 * $IVR_DB set in this shell may not be set in Asterisk's environment: say both.
 */
function historyLines(config: IvrConfig, configPath: string): string[] {
  const retention = config.database?.retention_days ?? DEFAULT_RETENTION_DAYS;
  const fromConfig = databasePath(undefined, config.database, configPath, {});
  const source = config.database?.path ? "database.path" : "the default";
  const envDb = process.env.IVR_DB;
  const kept = retention ? `kept ${retention} days` : "kept forever";
  const numbers = `numbers in E.164${config.country ? ` for ${config.country}` : ", no country set"}`;
  if (!envDb) return [`Call history: ${fromConfig} (${source}; ${kept}); ${numbers}.`];
  return [
    `Call history: ${envDb} ($IVR_DB; ${kept}); ${numbers}.`,
    `  note: $IVR_DB is set in this shell; a per-call process uses it only if Asterisk's environment sets it too, else ${fromConfig} (${source})`,
  ];
}

/**
 * Calls whose numbers cannot be put in E.164 are stored as dialed: Smart Redirect and
 * `ivr calls --phone` then find them only in that same spelling.
 */
function countryWarnings(config: IvrConfig): string[] {
  const { dids, otherDids } = didsWithoutCountry(config);
  if (!dids.length && !otherDids) return [];
  const where = [...(dids.length ? [`DID${dids.length === 1 ? "" : "s"} ${dids.join(", ")}`] : []), ...(otherDids ? ["any DID not configured"] : [])].join(" and ");
  return [
    `warning: calls on ${where} cannot be normalized to E.164 (no country for them): set country: at the top, or under the enterprise whose lines include the DID; until then their numbers are stored and matched as dialed.`,
  ];
}

/** Names in a column, each with its description, and its notes indented under it. */
function table(rows: Array<{ name: string; description: string; notes: string[] }>, indent = ""): string[] {
  const width = Math.max(...rows.map((row) => row.name.length));
  return rows.flatMap(({ name, description, notes }) => [
    `${indent}${name.padEnd(width)}  ${description}`,
    ...notes.map((note) => `${indent}${" ".repeat(width)}  note: ${note}`),
  ]);
}
