import { summarize } from "../config/describe.ts";
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
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}
