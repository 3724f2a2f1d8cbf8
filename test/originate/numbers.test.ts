import { describe, expect, test } from "bun:test";
import { checkNumber, fillNumber } from "../../src/originate/numbers.ts";
import { DEFAULT_TYPES } from "../../src/originate/settings.ts";

const BY = { country: "BY", types: DEFAULT_TYPES, countries: [] as string[] };

describe("destination numbers: E.164 in the enterprise's country, toll fraud refused with the reason", () => {
  test("every spelling of a Belarusian mobile is the same E.164 number", () => {
    for (const spelling of ["+375291234567", "375291234567", "80291234567", "8 029 123-45-67", "+375 (29) 123 45 67"]) {
      expect(checkNumber(spelling, BY)).toEqual({ ok: true, e164: "+375291234567", country: "BY", type: "mobile", national: "80291234567" });
    }
  });

  test.each([
    ["+449098790000", { ...BY, countries: ["GB"] }, "type", "premium-rate"],
    ["+375800123456", BY, "type", "toll-free"],
    ["+4930123456", BY, "country", "international number (DE); add DE to outbound.numbers.countries"],
    ["+79001234567", BY, "country", "international number (RU)"],
    ["+881631234567", BY, "country", "non-geographic number (+881: satellite"],
    ["+80012345678", BY, "country", "non-geographic number (+800"],
    ["+375902123456", BY, "invalid", "not a valid BY number"],
    ["+375291", BY, "invalid", "not a valid BY number"],
    ["12", BY, "invalid", "not a phone number"],
    ["150; DROP", BY, "invalid", "not a phone number"],
    ["0291234567", { ...BY, country: undefined }, "invalid", "no country code and no country is configured"],
  ] as const)("%s is refused (%s)", (number, rules, code, reason) => {
    const result = checkNumber(number, rules);
    expect(result).toMatchObject({ ok: false, code });
    expect((result as { reason: string }).reason).toContain(reason);
  });

  test("what the config allows is allowed: another country, another type", () => {
    expect(checkNumber("+79001234567", { ...BY, countries: ["RU"] })).toMatchObject({ ok: true, e164: "+79001234567", country: "RU" });
    expect(checkNumber("+375800123456", { ...BY, types: [...DEFAULT_TYPES, "toll_free"] })).toMatchObject({ ok: true, type: "toll_free" });
  });

  test("a trunk's dial template gets the number as it wants it", () => {
    const forms = { e164: "+375291234567", national: "80291234567" };
    expect(fillNumber("PJSIP/{number}@mtt", forms)).toBe("PJSIP/375291234567@mtt");
    expect(fillNumber("PJSIP/{e164}@mtt", forms)).toBe("PJSIP/+375291234567@mtt");
    expect(fillNumber("SIP/beltelecom/{national}", forms)).toBe("SIP/beltelecom/80291234567");
  });
});
