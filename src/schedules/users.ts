import { menuFor } from "../config/menu.ts";
import type { IvrConfig } from "../config/schema.ts";

/** Who uses a schedule: DIDs (with "default" for any DID without an entry of its own) and Smart Redirect enterprises. */
export interface ScheduleUsers {
  dids: string[];
  enterprises: string[];
}

export function scheduleUsers(config: IvrConfig, name: string): ScheduleUsers {
  const dids = Object.keys(config.dids ?? {}).filter((did) => menuFor(config, did).menu.schedule === name);
  if (config.default?.schedule === name) dids.push("default");
  const enterprises = Object.entries(config.smart?.enterprises ?? {})
    .filter(([, enterprise]) => enterprise.schedule === name)
    .map(([id]) => id);
  return { dids, enterprises };
}
