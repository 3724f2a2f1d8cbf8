import { describe, expect, test } from "bun:test";
import { DEFAULT_MENU, type Menu } from "../../src/config/menu.ts";
import { decide, dialArguments, escapeDigits, expectsMore, queueArguments, routesAtOnce } from "../../src/ivr/choice.ts";
import { canGrow, isExtension } from "../../src/ivr/extensions.ts";

const menu = (overrides: Partial<Menu> = {}): Menu => ({ ...DEFAULT_MENU, queues: { "1": "10001", "2": "10002" }, ...overrides });

describe("extensions", () => {
  const seed = { min: 3, max: 4, patterns: [] };
  test("without patterns: any min..max digits (the seed's rule)", () => {
    expect(isExtension("101", seed)).toBe(true);
    expect(isExtension("6789", seed)).toBe(true);
    expect(isExtension("55", seed)).toBe(false);
    expect(isExtension("12345", seed)).toBe(false);
    expect(isExtension("1*1", seed)).toBe(false);
    expect(canGrow("101", seed)).toBe(true);
    expect(canGrow("1001", seed)).toBe(false);
  });

  test("with patterns: X, Z, N, ranges and literals, each of a fixed length", () => {
    const rule = { min: 3, max: 4, patterns: ["_1XX", "_2[0-4]X", "_NXXX", "500"] };
    expect(isExtension("101", rule)).toBe(true);
    expect(isExtension("245", rule)).toBe(true);
    expect(isExtension("255", rule)).toBe(false);
    expect(isExtension("2551", rule)).toBe(true); // _NXXX
    expect(isExtension("500", rule)).toBe(true);
    expect(isExtension("501", rule)).toBe(false);
    expect(isExtension("1011", rule)).toBe(false);
    expect(canGrow("10", rule)).toBe(true);
    expect(canGrow("101", rule)).toBe(false); // nothing longer starts with 101
    expect(canGrow("0", rule)).toBe(false);
  });

  test("max_extension_digits 0 turns extension dialing off", () => {
    expect(isExtension("101", { min: 3, max: 0, patterns: [] })).toBe(false);
    expect(canGrow("1", { min: 3, max: 0, patterns: [] })).toBe(false);
  });
});

describe("choices", () => {
  test("escape digits are the keys that mean something", () => {
    expect(escapeDigits(menu())).toBe("0123456789");
    expect(escapeDigits(menu({ max_extension_digits: 0, queues: { "1": "q", "*": "q" } }))).toBe("1*");
    expect(escapeDigits(menu({ queues: { "9": "q" }, extension_patterns: ["_2XX"] }))).toBe("29");
  });

  test("a queue key routes at once only when no extension can start with it", () => {
    expect(routesAtOnce("1", menu())).toBe(false);
    expect(routesAtOnce("1", menu({ extension_patterns: ["_2XX"] }))).toBe(true);
    expect(routesAtOnce("2", menu({ extension_patterns: ["_2XX"] }))).toBe(false);
    expect(routesAtOnce("1", menu({ max_extension_digits: 0 }))).toBe(true);
    expect(expectsMore("1", menu({ max_extension_digits: 0 }))).toBe(false);
    expect(expectsMore("1", menu())).toBe(true);
  });

  test("what the digits mean", () => {
    expect(decide("", menu())).toEqual({ kind: "none" });
    expect(decide("1", menu())).toEqual({ kind: "queue", key: "1", queue: "10001" });
    expect(decide("101", menu())).toEqual({ kind: "extension", extension: "101" });
    expect(decide("7", menu())).toEqual({ kind: "invalid", digits: "7" });
    expect(decide("12", menu())).toEqual({ kind: "invalid", digits: "12" });
    expect(decide("constructor", menu())).toEqual({ kind: "invalid", digits: "constructor" });
  });

  test("Dial and Queue arguments drop what is not set", () => {
    expect(dialArguments("PJSIP/101", menu())).toEqual(["PJSIP/101", "60", "t"]);
    expect(dialArguments("PJSIP/101", menu({ dial_options: "" }))).toEqual(["PJSIP/101", "60"]);
    expect(dialArguments("PJSIP/101", menu({ dial_options: "", dial_timeout_seconds: 0 }))).toEqual(["PJSIP/101"]);
    expect(dialArguments("PJSIP/101", menu({ dial_timeout_seconds: 0 }))).toEqual(["PJSIP/101", "", "t"]);
    expect(queueArguments("10001", menu())).toEqual(["10001"]);
    expect(queueArguments("10001", menu({ queue_options: "t,,,300" }))).toEqual(["10001", "t,,,300"]);
  });
});
