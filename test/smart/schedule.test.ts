import { describe, expect, test } from "bun:test";
import type { EnterpriseSettings } from "../../src/config/smart-schema.ts";
import type { HoursSource } from "../../src/schedules/hours.ts";
import { TtlCache } from "../../src/smart/cache.ts";
import { decide, type SmartSources, type Verdict } from "../../src/smart/decide.ts";
import { buildEnterprise } from "../../src/smart/directory.ts";

const SETTINGS: EnterpriseSettings = {
  token: "t",
  country: "BY",
  lines: { "0001363": null },
  users: [{ id: 25, name: "Ivan Petrov", phones: [{ id: 31, number: "150" }] }],
  schedule: "office",
};
const enterprise = (overrides: Partial<EnterpriseSettings> = {}) => buildEnterprise("0367", { ...SETTINGS, ...overrides }, undefined);
const sources: SmartSources = { answeredExtension: () => "150", callerName: () => "Alexei Client" };
const ask = { phone: "80291234567", line: "0001363", loadDialPlan: true };

/** The office's hours, switched by the test. */
function hours(open: boolean | "throws"): HoursSource {
  return (name) => {
    if (open === "throws") throw new Error("schedule unreadable");
    return name === "office" ? { open, reason: open ? "mon 09:00-18:00" : "holiday 12-25" } : undefined;
  };
}

describe("Smart Redirect and the enterprise's schedule", () => {
  test("open: routed as usual", async () => {
    expect(await decide(enterprise(), ask, { sources, hours: hours(true) })).toMatchObject({ outcome: "routed", dialPlan: "mngr31_0001363_1" });
  });

  test("closed: the name, no routing, the reason", async () => {
    const decision = await decide(enterprise(), ask, { sources, hours: hours(false) });
    expect(decision).toMatchObject({ outcome: "closed", name: "Alexei Client", dialPlan: null, rule: null, reason: "outside hours: schedule office is closed (holiday 12-25)" });
  });

  test("name-only or LoadDialPlan false say that, not closed: no routing was asked", async () => {
    expect((await decide(enterprise({ mode: "name-only" }), ask, { sources, hours: hours(false) })).outcome).toBe("name_only");
    expect((await decide(enterprise(), { ...ask, loadDialPlan: false }, { sources, hours: hours(false) })).outcome).toBe("name_only");
  });

  test("a routing cached while open is not given once closed, and the other way round", async () => {
    const cache = new TtlCache<Verdict>(60_000);
    expect((await decide(enterprise(), ask, { sources, cache, hours: hours(true) })).outcome).toBe("routed");
    expect(await decide(enterprise(), ask, { sources, cache, hours: hours(false) })).toMatchObject({ outcome: "closed", cached: false });
    expect(await decide(enterprise(), ask, { sources, cache, hours: hours(true) })).toMatchObject({ outcome: "routed", cached: true });
  });

  test("no schedule, no hours source, or a schedule that cannot be evaluated: routing stays on", async () => {
    expect((await decide(enterprise({ schedule: undefined }), ask, { sources, hours: hours(false) })).outcome).toBe("routed");
    expect((await decide(enterprise(), ask, { sources })).outcome).toBe("routed");
    expect((await decide(enterprise(), ask, { sources, hours: hours("throws") })).outcome).toBe("routed");
  });
});
