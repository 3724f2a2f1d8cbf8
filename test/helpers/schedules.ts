import { parseConfig } from "../../src/config/load.ts";
import type { ScheduleSettings } from "../../src/schedules/types.ts";

/** One schedule from its YAML body (indented under `schedules: name:`), validated as a config would be. */
export function schedule(body: string): ScheduleSettings {
  const indented = body
    .trim()
    .split("\n")
    .map((line) => `    ${line}`)
    .join("\n");
  return parseConfig(`schedules:\n  s:\n${indented}\n`, "ivr.yaml").schedules!.s!;
}

/** An instant from ISO text with Z or an offset: tests name their instants exactly. */
export const at = (iso: string) => new Date(iso).getTime();

export const iso = (date: Date | null) => date?.toISOString().replace(":00.000Z", "Z") ?? null;
