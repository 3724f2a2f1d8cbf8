import type { History } from "../history/db.ts";
import { answeredExtension, lastCallerName } from "../history/queries.ts";
import type { SmartSources } from "./decide.ts";

/** The engine's lookups, answered by the call history. */
export function historySources(history: History): SmartSources {
  return {
    answeredExtension: (phone, which) => answeredExtension(history, phone, which),
    callerName: (phone) => lastCallerName(history, phone),
  };
}
