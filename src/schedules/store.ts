import { eq } from "drizzle-orm";
import type { History } from "../history/db.ts";
import { scheduleOverrides } from "../history/schema.ts";
import { type Override, overrideFromRow } from "./overrides.ts";

/** Where ivr serve keeps overrides: the history's schedule_overrides table (survives a restart). */
export interface OverrideStore {
  all(): Map<string, Override>;
  put(schedule: string, override: Override): void;
  remove(schedule: string): void;
}

export function historyOverrideStore(history: History): OverrideStore {
  return {
    all() {
      const found = new Map<string, Override>();
      for (const row of history.db.select().from(scheduleOverrides).all()) {
        const override = overrideFromRow(row);
        if (override) found.set(row.schedule, override);
      }
      return found;
    },
    put(schedule, override) {
      history.db
        .insert(scheduleOverrides)
        .values({ schedule, ...override })
        .onConflictDoUpdate({ target: scheduleOverrides.schedule, set: { state: override.state, until: override.until, setAt: override.setAt } })
        .run();
    },
    remove(schedule) {
      history.db.delete(scheduleOverrides).where(eq(scheduleOverrides.schedule, schedule)).run();
    },
  };
}

/** Overrides in memory only: for tests and tools without a history. */
export function memoryOverrideStore(): OverrideStore {
  const rows = new Map<string, Override>();
  return { all: () => new Map(rows), put: (name, override) => void rows.set(name, override), remove: (name) => void rows.delete(name) };
}
