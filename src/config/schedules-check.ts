import type { Problem } from "./menu.ts";
import type { IvrConfig } from "./schema.ts";

/** Every `schedule:` a DID, the default menu or a Smart Redirect enterprise names must be under schedules:. */
export function scheduleProblems(config: IvrConfig): Problem[] {
  const known = config.schedules ?? {};
  const problems: Problem[] = [];
  const check = (name: string | undefined, at: string[]) => {
    if (name !== undefined && !Object.hasOwn(known, name)) {
      const names = Object.keys(known);
      problems.push({ path: [...at, "schedule"], message: `no schedule "${name}" under schedules:${names.length ? ` (there are: ${names.join(", ")})` : ""}` });
    }
  };
  check(config.default?.schedule, ["default"]);
  for (const [did, entry] of Object.entries(config.dids ?? {})) check(entry?.schedule, ["dids", did]);
  for (const [id, enterprise] of Object.entries(config.smart?.enterprises ?? {})) check(enterprise.schedule, ["smart", "enterprises", id]);
  return problems;
}
