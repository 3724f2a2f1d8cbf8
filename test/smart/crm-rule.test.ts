import { describe, expect, test } from "bun:test";
import type { EnterpriseSettings } from "../../src/config/smart-schema.ts";
import type { PhoneMatch } from "../../src/history/phone.ts";
import { decide, type SmartSources } from "../../src/smart/decide.ts";
import type { CrmAnswer } from "../../src/smart/crm.ts";
import { buildEnterprise } from "../../src/smart/directory.ts";

const SETTINGS: EnterpriseSettings = {
  token: "t",
  mode: "routing+name",
  rules: ["crm", "last_call"],
  crm: ["retailcrm", "bitrix24"],
  country: "BY",
  sla_ms: 300,
  lines: { "0001363": {} },
  users: [
    { id: 25, name: "Ivan Petrov", phones: [{ id: 31, number: "150" }] },
    { id: 26, name: "Olga Sidorova", phones: [{ id: 37, number: "152" }] },
  ],
};
const enterprise = (overrides: Partial<EnterpriseSettings> = {}) => buildEnterprise("0367", { ...SETTINGS, ...overrides }, undefined);
const ask = { phone: "80291234567", line: "0001363", loadDialPlan: true };

/** History says 150 last had the caller, and the carrier called them "ALEXEI K"; the CRM answers as told. */
function sources(crm: (order: readonly string[], phone: PhoneMatch, budgetMs: number) => Promise<CrmAnswer>): SmartSources & { budgets: number[] } {
  const budgets: number[] = [];
  return {
    budgets,
    answeredExtension: () => "150",
    callerName: () => "ALEXEI K",
    crm: (order, phone, budget) => {
      budgets.push(budget);
      return crm(order, phone, budget);
    },
  };
}

describe("Smart Redirect's crm rule", () => {
  test("the CRM's responsible manager routes the call; its customer name replaces the carrier's; the log says which CRM answered", async () => {
    const src = sources(async (order, phone) => {
      expect(order).toEqual(["retailcrm", "bitrix24"]);
      expect(phone.e164).toBe("+375291234567");
      return { integration: "retailcrm", name: "Алексей Клиентов", extension: "152", notes: ["retailcrm: customer Алексей Клиентов, manager at extension 152"] };
    });
    const decision = await decide(enterprise(), ask, { sources: src });
    expect(decision).toMatchObject({ name: "Алексей Клиентов", dialPlan: "mngr37_0001363_1", outcome: "routed", rule: "crm", reason: "crm: retailcrm's responsible manager, extension 152 of Olga Sidorova" });
    expect(decision.steps).toContainEqual({ rule: "name", result: "name from retailcrm: Алексей Клиентов" });
    expect(src.budgets).toEqual([180]); // 60% of sla_ms
  });

  test("a CRM that knows no manager falls back to the next rule, keeping its name", async () => {
    const decision = await decide(enterprise(), ask, { sources: sources(async () => ({ integration: "bitrix24", name: "Alexei", notes: ["retailcrm: knows no customer with this number", "bitrix24: customer Alexei, no responsible manager with an extension"] })) });
    expect(decision).toMatchObject({ name: "Alexei", dialPlan: "mngr31_0001363_1", rule: "last_call" });
    expect(decision.steps).toContainEqual({ rule: "crm", result: "bitrix24 names no responsible manager with an extension" });
  });

  test("a slow CRM (it gave up within its budget) leaves the decision to the history, inside the SLA", async () => {
    const decision = await decide(enterprise(), ask, { sources: sources(async () => ({ notes: ["retailcrm: no answer within 180 ms", "bitrix24: no answer within 0 ms"] })) });
    expect(decision).toMatchObject({ name: "ALEXEI K", dialPlan: "mngr31_0001363_1", rule: "last_call" });
    expect(decision.steps.filter((s) => s.rule === "crm").map((s) => s.result)).toEqual(["retailcrm: no answer within 180 ms", "bitrix24: no answer within 0 ms", "no CRM knows this caller"]);
  });

  test("a CRM source that hangs past the SLA: nulls at the deadline, never a late answer", async () => {
    const decision = await decide(enterprise({ sla_ms: 50 }), ask, { sources: sources(() => new Promise(() => {})) });
    expect(decision).toMatchObject({ name: null, dialPlan: null, outcome: "timeout" });
    expect(decision.latencyMs).toBeLessThan(1000);
  });

  test("the CRM's manager must be a phone of the enterprise; name-only mode takes the CRM's name", async () => {
    const stranger = sources(async () => ({ integration: "retailcrm", name: "Alexei", extension: "199", notes: [] }));
    expect(await decide(enterprise(), ask, { sources: stranger })).toMatchObject({ dialPlan: "mngr31_0001363_1", rule: "last_call" });
    expect(await decide(enterprise({ mode: "name-only" }), ask, { sources: stranger })).toMatchObject({ name: "Alexei", dialPlan: null, outcome: "name_only" });
  });

  test("an enterprise without a crm: list asks no CRM; a process without CRMs (a per-call ivr) says so", async () => {
    const src = sources(async () => ({ notes: [] }));
    await decide(enterprise({ crm: undefined }), ask, { sources: src });
    expect(src.budgets).toEqual([]);
    const perCall = await decide(enterprise(), ask, { sources: { answeredExtension: () => "150", callerName: () => undefined } });
    expect(perCall).toMatchObject({ dialPlan: "mngr31_0001363_1", rule: "last_call" });
    expect(perCall.steps).toContainEqual({ rule: "crm", result: "skipped: CRMs are asked by ivr serve, not by a per-call ivr process" });
  });
});
