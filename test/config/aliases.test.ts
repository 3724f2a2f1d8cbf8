import { describe, expect, test } from "bun:test";
import { ConfigError } from "../../src/config/errors.ts";
import { parseConfig } from "../../src/config/load.ts";
import { errorsOf } from "../helpers/config-errors.ts";
import { billionLaughs, sharedQueues } from "../helpers/config-texts.ts";
import { menuFor } from "../../src/config/menu.ts";

describe("YAML aliases, as administrators use them for shared menus", () => {
  test("150 DIDs (and 5,000) sharing one alias load, each with the shared queues", () => {
    for (const count of [150, 5000]) {
      const config = parseConfig(sharedQueues(count), "ivr.yaml");
      expect(Object.keys(config.dids!)).toHaveLength(count);
      expect(menuFor(config, "0200000149").menu.queues).toEqual({ "1": "10001", "2": "10002" });
    }
  });

  test("a whole menu shared, and << merging one with overrides (its own keys win)", () => {
    const config = parseConfig(
      [
        "dids:",
        '  "0200000001": &menu',
        "    welcome_sound: custom/shared",
        '    queues: { "1": "10001" }',
        "    max_attempts: 2",
        '  "0200000002": *menu',
        '  "0200000003":',
        "    <<: *menu",
        "    max_attempts: 5",
        "",
      ].join("\n"),
      "ivr.yaml",
    );
    expect(menuFor(config, "0200000002").menu).toMatchObject({ welcome_sound: "custom/shared", max_attempts: 2 });
    expect(menuFor(config, "0200000003").menu).toMatchObject({ welcome_sound: "custom/shared", queues: { "1": "10001" }, max_attempts: 5 });
  });

  test("a billion laughs is a config error at the alias that crosses the limit, found at once", () => {
    const [line, ...rest] = errorsOf(billionLaughs());
    expect(rest).toEqual([]);
    expect(line).toMatch(/^ivr\.yaml:\d+:\d+: aliases expand this file to more than 100,000 values, far more than its size explains/);
  });

  test.each([
    ["default:\n  queues: *nowhere\n", 'ivr.yaml:2:11: alias *nowhere has no anchor &nowhere before it'],
    ["default: &d\n  queues: *d\n", "ivr.yaml:2:11: alias *d is inside the value it names"],
    ["default:\n  <<: plain\n", "ivr.yaml:2:7: << merges mappings: give it an alias of a mapping (<<: *name) or a list of them"],
    ["default:\n  [a, b]: x\n", "ivr.yaml:2:3: a key must be a plain value, not a list or a mapping"],
    [`default:\n  queues: ${"[".repeat(80)}${"]".repeat(80)}\n`, "ivr.yaml:2:74: nested more than 64 levels deep"],
  ])("%j is refused with its position", (text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });

  test("__proto__ is a key like any other: refused as unknown, never a prototype", () => {
    const [line, ...rest] = errorsOf("default:\n  __proto__:\n    welcome_sound: x\n");
    expect(rest).toEqual([]);
    expect(line).toStartWith('ivr.yaml:2:3: default.__proto__: unknown key "__proto__" (known keys: welcome_sound,');
  });

  test("thousands of broken DIDs: every one found, the first 50 shown", () => {
    const dids = Array.from({ length: 3000 }, (_, i) => `  "02${i}":\n    max_attempts: lots\n`).join("");
    let error: ConfigError | undefined;
    try {
      parseConfig(`dids:\n${dids}`, "ivr.yaml");
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.issues).toHaveLength(3000);
    const lines = error!.message.split("\n");
    expect(lines).toHaveLength(51);
    expect(lines[0]).toBe("ivr.yaml:3:19: dids.020.max_attempts: must be a whole number");
    expect(lines[50]).toBe("ivr.yaml: ...and 2950 more problems");
  });
});
