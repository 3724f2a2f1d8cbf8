import { describe, expect, test } from "bun:test";
import type { EnterpriseSettings } from "../../src/config/smart-schema.ts";
import { TtlCache } from "../../src/smart/cache.ts";
import { type Verdict, decide, type SmartSources } from "../../src/smart/decide.ts";
import { buildEnterprise } from "../../src/smart/directory.ts";

/** product.md's example enterprise. */
const SETTINGS: EnterpriseSettings = {
  token: "${SMART_TOKEN_0367}",
  mode: "routing+name",
  rules: ["last_call", "first_call"],
  country: "BY",
  lines: { "0001363": { fallback: "from-out-office-fallback" } },
  users: [
    { id: 25, name: "Ivan Petrov", outgoing_context: "from-internal", phones: [{ id: 31, number: "150" }, { id: 32, number: "151" }] },
    { id: 26, name: "Olga Sidorova", phones: [{ id: 37, number: "152" }] },
  ],
};
const enterprise = (overrides: Partial<EnterpriseSettings> = {}) => buildEnterprise("0367", { ...SETTINGS, ...overrides }, undefined);

/** History as a table: the first and last extensions that answered each number. */
function history(table: Record<string, { first?: string; last?: string; name?: string }>): SmartSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    answeredExtension: (phone, which) => {
      asked.push(`${which}:${phone.e164 ?? `raw ${phone.raw}`}`);
      return table[phone.e164 ?? phone.raw]?.[which];
    },
    callerName: (phone) => table[phone.e164 ?? phone.raw]?.name,
  };
}

const IVANS_CLIENT = "+375291234567";
const sources = history({ [IVANS_CLIENT]: { first: "152", last: "150", name: "Alexei Client" } });
const ask = (phone = "80291234567", line = "0001363", loadDialPlan = true) => ({ phone, line, loadDialPlan });

describe("modes x rules", () => {
  test("routing+name, last_call: extension 150 -> phone 31 -> mngr31_0001363_1 (product.md's example)", async () => {
    const decision = await decide(enterprise(), ask(), { sources });
    expect(decision).toMatchObject({ name: "Alexei Client", dialPlan: "mngr31_0001363_1", outcome: "routed", rule: "last_call", phone: IVANS_CLIENT });
  });

  test("routing+name, first_call first: the first manager, phone 37", async () => {
    const decision = await decide(enterprise({ rules: ["first_call", "last_call"] }), ask(), { sources });
    expect(decision).toMatchObject({ dialPlan: "mngr37_0001363_1", rule: "first_call" });
  });

  test.each([
    [["last_call"], "mngr31_0001363_1"],
    [["first_call"], "mngr37_0001363_1"],
    [["crm", "first_call"], "mngr37_0001363_1"],
  ] as const)("rules %j -> %s", async (rules, dialPlan) => {
    expect((await decide(enterprise({ rules: [...rules] }), ask(), { sources })).dialPlan).toBe(dialPlan);
  });

  test("name-only: the name, never a DialPlan", async () => {
    const decision = await decide(enterprise({ mode: "name-only" }), ask(), { sources });
    expect(decision).toMatchObject({ name: "Alexei Client", dialPlan: null, outcome: "name_only" });
  });

  test("off: both null, nothing looked up", async () => {
    const fresh = history({});
    const decision = await decide(enterprise({ mode: "off" }), ask(), { sources: fresh });
    expect(decision).toMatchObject({ name: null, dialPlan: null, outcome: "off" });
    expect(fresh.asked).toEqual([]);
  });

  test("LoadDialPlan false: a name only", async () => {
    expect(await decide(enterprise(), ask("80291234567", "0001363", false), { sources })).toMatchObject({ name: "Alexei Client", dialPlan: null, outcome: "name_only" });
  });

  test("crm without a CRM for the enterprise is skipped, and the reason is kept", async () => {
    const decision = await decide(enterprise({ rules: ["crm"] }), ask(), { sources });
    expect(decision).toMatchObject({ dialPlan: null, outcome: "no_match" });
    expect(decision.steps).toContainEqual({ rule: "crm", result: "skipped: no CRM is set for this enterprise (its crm: list)" });
  });
});

describe("fallback and who may be routed to", () => {
  test("last_call finds a phone no longer in the config: first_call decides", async () => {
    const removed = history({ [IVANS_CLIENT]: { first: "152", last: "199" } });
    const decision = await decide(enterprise(), ask(), { sources: removed });
    expect(decision).toMatchObject({ dialPlan: "mngr37_0001363_1", rule: "first_call" });
    expect(decision.steps[1]?.result).toContain("extension 199 answered, but it is not a phone of this enterprise");
  });

  test("every rule finds a removed phone: no DialPlan", async () => {
    const removed = history({ [IVANS_CLIENT]: { first: "198", last: "199" } });
    expect(await decide(enterprise(), ask(), { sources: removed })).toMatchObject({ dialPlan: null, outcome: "no_match" });
  });

  test("an unknown caller: no name, no DialPlan", async () => {
    expect(await decide(enterprise(), ask("80441112233"), { sources })).toMatchObject({ name: null, dialPlan: null, outcome: "no_match", phone: "+375441112233" });
  });

  test("a line without Smart Redirect: a name, no DialPlan", async () => {
    expect(await decide(enterprise(), ask("80291234567", "0009999"), { sources })).toMatchObject({ name: "Alexei Client", dialPlan: null, outcome: "line_not_smart" });
  });

  test("three spellings of one number are one caller", async () => {
    for (const spelling of ["80291234567", "+375291234567", "375291234567", "8 (029) 123-45-67"]) {
      expect(await decide(enterprise(), ask(spelling), { sources })).toMatchObject({ phone: IVANS_CLIENT, dialPlan: "mngr31_0001363_1" });
    }
  });

  test("not a number (anonymous, an internal extension): nulls, said so", async () => {
    expect(await decide(enterprise(), ask("anonymous"), { sources })).toMatchObject({ outcome: "unknown_phone", dialPlan: null });
    expect(await decide(enterprise(), ask("150"), { sources })).toMatchObject({ outcome: "unknown_phone" });
  });

  test("no country anywhere: a national number is looked up in the spelling it came in (as its calls were stored)", async () => {
    const raw = history({ "80291234567": { last: "150", name: "Alexei Client" } });
    const decision = await decide(buildEnterprise("0367", { ...SETTINGS, country: undefined }, undefined), ask("80291234567"), { sources: raw });
    expect(decision).toMatchObject({ outcome: "routed", dialPlan: "mngr31_0001363_1", phone: null, name: "Alexei Client" });
    expect(raw.asked).toEqual(["last:raw 80291234567"]);
    expect(await decide(buildEnterprise("0367", { ...SETTINGS, country: undefined }, undefined), ask("anonymous"), { sources: raw })).toMatchObject({ outcome: "unknown_phone" });
  });
});

describe("SLA and failures", () => {
  test("a lookup slower than sla_ms: nulls at the deadline, with the reason", async () => {
    const slow: SmartSources = {
      callerName: () => "Slow Name",
      answeredExtension: () => new Promise((resolve) => setTimeout(() => resolve("150"), 1000)),
    };
    const decision = await decide(enterprise({ sla_ms: 30 }), ask(), { sources: slow });
    expect(decision).toMatchObject({ name: null, dialPlan: null, outcome: "timeout" });
    expect(decision.reason).toBe("no answer within sla_ms (30 ms), after name");
  });

  test("a lookup that fails: nulls and the error, never a throw", async () => {
    const broken: SmartSources = {
      callerName: () => {
        throw new Error("database is locked");
      },
      answeredExtension: () => undefined,
    };
    expect(await decide(enterprise(), ask(), { sources: broken })).toMatchObject({ outcome: "error", dialPlan: null, reason: "a lookup failed: database is locked" });
  });
});

describe("cache", () => {
  test("a hit within the TTL, a fresh lookup after it (fake clock)", async () => {
    let now = 1_000_000;
    const cache = new TtlCache<Verdict>(60_000, () => now);
    const counted = history({ [IVANS_CLIENT]: { last: "150" } });
    const first = await decide(enterprise(), ask(), { sources: counted, cache });
    expect(first.cached).toBe(false);
    const lookups = counted.asked.length;

    now += 59_000;
    const second = await decide(enterprise(), ask("+375291234567"), { sources: counted, cache });
    expect(second).toMatchObject({ cached: true, dialPlan: "mngr31_0001363_1" });
    expect(counted.asked.length).toBe(lookups);

    now += 2_000;
    expect((await decide(enterprise(), ask(), { sources: counted, cache })).cached).toBe(false);
    expect(counted.asked.length).toBe(lookups * 2);
  });

  test("a caller's entries are dropped by their number, in either form; other callers' stay", async () => {
    const cache = new TtlCache<Verdict>(60_000);
    const other = "+375441112233";
    await decide(enterprise(), ask(), { sources, cache });
    await decide(enterprise(), ask("80291234567", "0009999"), { sources, cache });
    await decide(enterprise(), ask("80441112233"), { sources, cache });
    expect(cache.size).toBe(3);
    expect(cache.invalidate(IVANS_CLIENT)).toBe(2);
    expect(cache.size).toBe(1);
    expect((await decide(enterprise(), ask("80441112233"), { sources, cache })).cached).toBe(true);
    expect(cache.invalidate("80441112233")).toBe(1); // the raw spelling the request came in
    expect(cache.invalidate(other)).toBe(0);
    expect(cache.size).toBe(0);
  });

  test("timeouts and errors are not cached", async () => {
    const cache = new TtlCache<Verdict>(60_000);
    const slow: SmartSources = { callerName: () => new Promise(() => {}), answeredExtension: () => undefined };
    await decide(enterprise({ sla_ms: 10 }), ask(), { sources: slow, cache });
    expect(cache.size).toBe(0);
  });
});
