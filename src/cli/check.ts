import { describeAmi } from "../ami/describe.ts";
import { describeIntegrations } from "../integrations/describe.ts";
import { summarize } from "../config/describe.ts";
import { summarizeSmart } from "../config/describe-smart.ts";
import { loadConfigFile } from "../config/load.ts";
import type { IvrConfig } from "../config/schema.ts";
import { weakTokenWarnings } from "../config/weak-tokens.ts";
import { didsWithoutCountry } from "../history/country.ts";
import { databasePath } from "../history/location.ts";
import { DEFAULT_RETENTION_DAYS } from "../history/retention.ts";
import { closedNote, describeSchedules } from "../schedules/describe.ts";
import { parseTypedTime } from "../schedules/local-time.ts";
import { describeOutbound } from "../originate/describe.ts";
import { outboundProblems } from "../originate/settings.ts";
import { CommandFailure, parseFlags, UsageError } from "./args.ts";
import { locateConfig, orCommandFailure } from "./load-config.ts";
import { writeOut } from "./stdout.ts";

/** `ivr check`: validates the config and says what every DID's callers will get. */
export async function runCheck(args: string[]): Promise<number> {
  try {
    return await check(args);
  } catch (error) {
    if (error instanceof CommandFailure || error instanceof UsageError) throw error;
    // A checker that crashes with a stack trace tells the administrator nothing: say what failed.
    throw new CommandFailure(`ivr check failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  }
}

async function check(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { config: { type: "string" }, at: { type: "string" } });
  const at = values.at === undefined ? { kind: "instant" as const, ms: Date.now() } : parseTypedTime(values.at);
  if (!at) throw new UsageError(`--at takes a time such as 2026-12-31T18:05 (read in each schedule's zone) or 2026-12-31T17:05Z, not "${values.at}"`);
  const location = locateConfig(values.config);
  const { config } = orCommandFailure(() => loadConfigFile(location.path));
  const out: string[] = [`✓ ${location.path} is valid (found by ${location.how})`, ""];
  const summaries = summarize(config);
  const rows = summaries.map(({ did, description, notes }) => {
    const closed = closedNote(config, did);
    return { name: did, description, notes: closed ? [...notes, closed] : notes };
  });
  out.push(...table(rows));
  const dids = summaries.length - 1;
  out.push("", `${dids} DID${dids === 1 ? "" : "s"} configured; any other DID gets the default menu.`);
  out.push(...historyLines(config, location.path));
  out.push(...countryWarnings(config));
  const enterprises = summarizeSmart(config);
  if (enterprises.length) {
    const weak = weakTokenWarnings(config);
    const rows = enterprises.map(({ id, description, notes }) => ({
      name: id,
      description,
      notes,
      warnings: weak.filter((w) => w.enterprise === id).map((w) => w.warning),
    }));
    out.push("", "Smart Redirect:", ...table(rows, "  "));
  }
  out.push(...describeSchedules(config, at));
  const ami = describeAmi(config);
  if (ami) out.push("", `AMI: ${ami.description}`, ...ami.notes.map((note) => `  note: ${note}`));
  const integrations = describeIntegrations(config);
  if (integrations) out.push("", `Integrations: ${integrations.description}`, ...integrations.notes.map((note) => `  note: ${note}`));
  // A config outbound calls cannot work with (or that would need more AMI rights) is refused.
  const refused = outboundProblems(config);
  if (refused.length) throw new CommandFailure(refused.map((problem) => `error: ${problem}`).join("\n"));
  const outbound = describeOutbound(config);
  if (outbound) out.push("", `Outbound: ${outbound.description}`, ...outbound.lines.map((line) => `  ${line}`), ...outbound.notes.map((note) => `  note: ${note}`));
  await writeOut(`${out.join("\n")}\n`);
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
  const named = dids.length > 10 ? `${dids.slice(0, 10).join(", ")} and ${dids.length - 10} more` : dids.join(", ");
  const where = [...(dids.length ? [`DID${dids.length === 1 ? "" : "s"} ${named}`] : []), ...(otherDids ? ["any DID not configured"] : [])].join(" and ");
  return [
    `warning: calls on ${where} cannot be normalized to E.164 (no country for them): set country: at the top, or under the enterprise whose lines include the DID; until then their numbers are stored and matched as dialed.`,
  ];
}

interface Row {
  name: string;
  description: string;
  notes: string[];
  warnings?: string[];
}

/** Names in a column, each with its description, and its warnings and notes indented under it. */
function table(rows: Row[], indent = ""): string[] {
  const width = rows.reduce((most, row) => Math.max(most, row.name.length), 0);
  const under = `${indent}${" ".repeat(width)}  `;
  return rows.flatMap(({ name, description, notes, warnings = [] }) => [
    `${indent}${name.padEnd(width)}  ${description}`,
    ...warnings.map((warning) => `${under}WARNING: ${warning}`),
    ...notes.map((note) => `${under}note: ${note}`),
  ]);
}
