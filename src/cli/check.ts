import { summarize } from "../config/describe.ts";
import { summarizeSmart } from "../config/describe-smart.ts";
import { databasePath } from "../history/location.ts";
import { DEFAULT_RETENTION_DAYS } from "../history/retention.ts";
import { loadConfigFile } from "../config/load.ts";
import { parseFlags } from "./args.ts";
import { locateConfig, orConfigFailure } from "./load-config.ts";

/** `ivr check`: validates the config and says what every DID's callers will get. */
export async function runCheck(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { config: { type: "string" } });
  const location = locateConfig(values.config);
  const { config } = orConfigFailure(() => loadConfigFile(location.path));
  const out: string[] = [`✓ ${location.path} is valid (found by ${location.how})`, ""];
  const summaries = summarize(config);
  const width = Math.max(...summaries.map((s) => s.did.length));
  for (const { did, description, notes } of summaries) {
    out.push(`${did.padEnd(width)}  ${description}`);
    for (const note of notes) out.push(`${" ".repeat(width)}  note: ${note}`);
  }
  const dids = summaries.length - 1;
  out.push("", `${dids} DID${dids === 1 ? "" : "s"} configured; any other DID gets the default menu.`);
  const retention = config.database?.retention_days ?? DEFAULT_RETENTION_DAYS;
  out.push(
    `Call history: ${databasePath(undefined, config.database, location.path)} (${retention ? `kept ${retention} days` : "kept forever"}); numbers in E.164${config.country ? ` for ${config.country}` : ", no country set"}.`,
  );
  const enterprises = summarizeSmart(config);
  if (enterprises.length) {
    out.push("", "Smart Redirect:");
    const idWidth = Math.max(...enterprises.map((e) => e.id.length));
    for (const { id, description, notes } of enterprises) {
      out.push(`  ${id.padEnd(idWidth)}  ${description}`);
      for (const note of notes) out.push(`  ${" ".repeat(idWidth)}  note: ${note}`);
    }
  }
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
