import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { configHours } from "../../src/schedules/hours.ts";
import { ScheduleService } from "../../src/schedules/service.ts";
import { historyOverrideStore, memoryOverrideStore } from "../../src/schedules/store.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { tempHistory } from "../helpers/history.ts";
import { at, iso } from "../helpers/schedules.ts";

const config = parseConfig(
  `
schedules:
  office:
    timezone: Europe/Berlin
    hours: { mon-fri: ["09:00-18:00"] }
    holidays: ["12-25"]
`,
  "ivr.yaml",
);

// 2026-12-28 is a Monday; Berlin is on CET (+01:00).
const MONDAY_10 = at("2026-12-28T09:00Z");
const MONDAY_17 = at("2026-12-28T17:00Z");
const TUESDAY_09 = at("2026-12-29T08:00Z");

function service(store = memoryOverrideStore()) {
  return new ScheduleService({ snapshot: () => ({ config }), store, log: captureLog().log });
}

describe("ScheduleService: the registry ivr serve shares (IVR, Smart Redirect, callbacks and campaigns)", () => {
  test("isOpen, state and nextOpening as the schedule says", () => {
    const s = service();
    expect(s.names()).toEqual(["office"]);
    expect(s.isOpen("office", MONDAY_10)).toBe(true);
    expect(s.isOpen("office", MONDAY_17)).toBe(false);
    expect(iso(s.nextOpening("office", MONDAY_17)!)).toBe(iso(new Date(TUESDAY_09)));
    expect(iso(s.nextOpening("office", at("2026-12-24T19:00Z"))!)).toBe("2026-12-28T08:00Z");
    expect(s.isOpen("nope")).toBeUndefined();
    expect(s.state("nope")).toBeUndefined();
  });

  test("a temporary override lasts until the next scheduled change, then the schedule rules (FreePBX semantics)", () => {
    const store = memoryOverrideStore();
    const s = service(store);
    // Forced closed at 10:00 on Monday: until 18:00, when the schedule closes anyway; it opens on Tuesday as usual.
    const forced = s.setOverride("office", "closed", "next_change", MONDAY_10)!;
    expect(forced).toMatchObject({ open: false, reason: "override: forced closed until the next scheduled change at 2026-12-28T17:00:00.000Z" });
    expect(iso(forced.until)).toBe("2026-12-29T08:00Z");
    expect(iso(forced.override!.endsAt)).toBe("2026-12-28T17:00Z");
    expect(s.isOpen("office", MONDAY_10 + 3_600_000)).toBe(false);
    expect(iso(s.nextOpening("office", MONDAY_10)!)).toBe("2026-12-29T08:00Z");
    // At 18:00 it has ended: state() forgets it, in memory and in the store.
    expect(s.state("office", MONDAY_17)).toMatchObject({ open: false, override: null });
    expect(store.all().size).toBe(0);
    expect(s.isOpen("office", TUESDAY_09)).toBe(true);
  });

  test("a temporary override to open at night: open until the office opens, then the day as usual", () => {
    const s = service();
    const forced = s.setOverride("office", "open", "next_change", MONDAY_17)!;
    expect(forced.open).toBe(true);
    expect(iso(forced.override!.endsAt)).toBe("2026-12-29T08:00Z");
    expect(iso(forced.until)).toBe("2026-12-29T17:00Z");
    expect(s.isOpen("office", TUESDAY_09 - 60_000)).toBe(true);
  });

  test("a permanent override lasts until cleared", () => {
    const s = service();
    s.setOverride("office", "closed", "cleared", MONDAY_10);
    expect(s.state("office", at("2027-06-01T09:00Z"))).toMatchObject({ open: false, until: null, reason: "override: forced closed until cleared" });
    expect(s.nextOpening("office", MONDAY_10)).toBeNull();
    expect(s.clearOverride("office")).toBe(true);
    expect(s.isOpen("office", MONDAY_10)).toBe(true);
    expect(s.clearOverride("office")).toBe(false);
  });

  test("overrides are loaded from the history at start (real SQLite), a newer ivr's rows ignored", () => {
    const history = tempHistory();
    service(historyOverrideStore(history)).setOverride("office", "open", "cleared", MONDAY_17);
    history.sqlite.run("INSERT INTO schedule_overrides (schedule, state, until, set_at) VALUES ('other', 'maybe', 'cleared', 1)");
    const restarted = service(historyOverrideStore(history));
    expect(restarted.isOpen("office", at("2027-12-25T12:00Z"))).toBe(true);
    expect(restarted.override("office", MONDAY_17)).toEqual({ state: "open", until: "cleared", setAt: MONDAY_17 });
  });

  test("a store that cannot be written: the override is not set, nothing changes", () => {
    const failing = { ...memoryOverrideStore(), put: () => { throw new Error("database is locked"); } };
    const s = service(failing);
    expect(() => s.setOverride("office", "closed", "cleared", MONDAY_10)).toThrow("database is locked");
    expect(s.isOpen("office", MONDAY_10)).toBe(true);
  });
});

test("names that are not schedules, Object's own included, are unknown everywhere", async () => {
  for (const name of ["constructor", "__proto__", "toString", "nope"]) {
    expect(await configHours(config)(name, MONDAY_10)).toBeUndefined();
    expect(service().isOpen(name, MONDAY_10)).toBeUndefined();
  }
});
