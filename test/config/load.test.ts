import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ConfigError } from "../../src/config/errors.ts";
import { loadConfigFile, parseConfig } from "../../src/config/load.ts";
import { errorsOf } from "../helpers/config-errors.ts";
import { DEFAULT_MENU, menuFor } from "../../src/config/menu.ts";
import { findConfig, SEARCH_PATHS } from "../../src/config/paths.ts";

const ROOT = join(import.meta.dir, "..", "..");
const SEED = join(ROOT, "test", "fixtures", "config", "seed-config.yaml");

describe("the Rust seed's config.yaml, byte for byte", () => {
  const { config } = loadConfigFile(SEED);

  test("its DID gets its own menu, merged over default", () => {
    expect(menuFor(config, "0212345678")).toEqual({
      source: "did",
      menu: {
        ...DEFAULT_MENU,
        welcome_sound: "custom/welcome-hq",
        invalid_sound: "invalid",
        goodbye_sound: "vm-goodbye",
        queues: { "1": "10001", "2": "10002", "3": "10003" },
        min_extension_digits: 3,
        max_extension_digits: 4,
        extension_timeout_seconds: 3,
        dial_timeout_seconds: 60,
        dial_options: "t",
      },
    });
  });

  test("any other DID gets default, and new keys keep the seed's behaviour", () => {
    const { menu, source } = menuFor(config, "0299999999");
    expect(source).toBe("default");
    expect(menu.welcome_sound).toBe("en/custom/new-ivr-osd");
    expect(menu.extension_dial).toBe("PJSIP/{ext}");
    expect(menu.queue_options).toBe("");
    expect(menu.extension_patterns).toEqual([]);
  });
});

describe("values are read as typed", () => {
  test("an unquoted DID keeps its leading zero; numbers stay text where text is meant", () => {
    const config = parseConfig("dids:\n  0212345678:\n    queues:\n      1: 0010\n", "x.yaml");
    expect(Object.keys(config.dids!)).toEqual(["0212345678"]);
    expect(config.dids!["0212345678"]!.queues).toEqual({ "1": "0010" });
  });

  test("empty, ~ and null mean not set; an empty DID entry still exists", () => {
    const config = parseConfig('default:\n  dial_options: ~\n  queue_options:\ndids:\n  "0298765432":\n', "x.yaml");
    expect(config.default).toEqual({});
    expect(menuFor(config, "0298765432")).toMatchObject({ source: "did", menu: { dial_options: "t" } });
  });

  test("an empty or comments-only file is refused (it would silently replace every menu); {} is all defaults", () => {
    for (const empty of ["", "\n\n", "# default:\n#   welcome_sound: x\n", "~\n", "---\n"]) {
      expect(errorsOf(empty)).toEqual(["ivr.yaml: the config is empty (nothing but blank lines and comments): write {} for a config of built-in defaults"]);
    }
    expect(parseConfig("{}\n", "x.yaml")).toEqual({});
  });
});

describe("errors name the file, line, column and key path", () => {
  test.each([
    ["default:\n  welcom_sound: hello\n", 'ivr.yaml:2:3: default.welcom_sound: unknown key "welcom_sound" (did you mean "welcome_sound"?)'],
    ["default:\n  max_attempts: lots\n", "ivr.yaml:2:17: default.max_attempts: must be a whole number"],
    ["default:\n  max_attempts: 0\n", "ivr.yaml:2:17: default.max_attempts: must be between 1 and 10"],
    ['default:\n  queues:\n    "#": "10001"\n', "ivr.yaml:3:5: default.queues.#: a queue key must be one digit 0-9 or *"],
    ['default:\n  queues:\n    "1": "sales team"\n', "ivr.yaml:3:10: default.queues.1: a queue name must not contain spaces, commas or |"],
    ["default:\n  welcome_sound: welcome.wav\n", "ivr.yaml:2:18: default.welcome_sound: give the sound name without its extension (.wav)"],
    ["default:\n  extension_dial: PJSIP/101\n", "ivr.yaml:2:19: default.extension_dial: must contain {ext}, e.g. PJSIP/{ext}"],
    ["default:\n  dial_options: t,r\n", "ivr.yaml:2:17: default.dial_options: must not contain commas: it is Dial's options argument"],
    ["default:\n  queues: 10001\n", "ivr.yaml:2:11: default.queues: must be a mapping of keys (key: value lines)"],
    ["default:\n  extension_patterns: _1XX\n", "ivr.yaml:2:23: default.extension_patterns: must be a list (lines starting with - , or [a, b])"],
    ['dids:\n  "0212345678":\n    min_extension_digits: 5\n', "ivr.yaml:3:27: dids.0212345678.min_extension_digits: min_extension_digits (5) is more than max_extension_digits (4)"],
    ['default:\n  extension_patterns: ["_1XX", "_1XXXX"]\n', "ivr.yaml:2:32: default.extension_patterns.1: pattern _1XXXX matches 5 digits, outside min_extension_digits..max_extension_digits (3..4)"],
    ["server:\n  fastagi: 4573\n", "ivr.yaml:2:12: server.fastagi: must be HOST:PORT, e.g. 127.0.0.1:4573"],
    ["country: Belarus\n", "ivr.yaml:1:10: country: must be a two-letter country code such as BY, TH or RU"],
    ['dids:\n  "0298765432":\n    smart: "9999"\n', 'ivr.yaml:3:12: dids.0298765432.smart: no enterprise "9999" under smart.enterprises'],
    ["smart:\n  dialplan:\n    write_on_change: yes\n", "ivr.yaml:3:22: smart.dialplan.write_on_change: needs smart.dialplan.file: the extensions.conf to write"],
    ["server:\n  admin_token: short\n", "ivr.yaml:2:16: server.admin_token: must be at least 16 characters, or ${ENV_VAR} to take it from the environment"],
    [
      'smart:\n  enterprises:\n    "1":\n      token: ${T}\n      users:\n        - { id: 1, phones: [{ id: 31, number: "150" }] }\n        - { id: 2, phones: [{ id: 31, number: "151" }] }\n',
      "ivr.yaml:7:35: smart.enterprises.1.users.1.phones.0.id: phone id 31 is also used by user 1: ids name dialplan contexts and must be unique",
    ],
    [
      'smart:\n  enterprises:\n    "1":\n      token: ${T}\n    "2":\n      token: ${T}\n',
      "ivr.yaml:6:14: smart.enterprises.2.token: the same token as enterprise 1: each enterprise needs its own",
    ],
    ["smrt: {}\n", 'ivr.yaml:1:1: smrt: unknown key "smrt" (did you mean "smart"?)'],
    [
      'smart:\n  enterprises:\n    "0367":\n      token: ${T}\n      users:\n        - id: 1\n          phones: [{ id: 31, number: "150" }]\n          phonez: []\n',
      'ivr.yaml:8:11: smart.enterprises.0367.users.0.phonez: unknown key "phonez" (did you mean "phones"?)',
    ],
    ['smart:\n  enterprises:\n    "0367":\n      mode: routing+name\n', "ivr.yaml:4:7: smart.enterprises.0367.token: is required"],
    ["default:\n  queues: {\n", "ivr.yaml:3:1: YAML syntax: Flow map in block collection must be sufficiently indented and end with a }"],
    [
      'smart:\n  enterprises:\n    "0367":\n      token: ${T}\n      lines:\n        "0001363,1,Dial(PJSIP/666)": {}\n',
      "ivr.yaml:6:9: smart.enterprises.0367.lines.0001363,1,Dial(PJSIP/666): a line is the number Asterisk calls it by (e.g. 0001363): digits and letters, _ . -, an optional leading +",
    ],
    [
      'smart:\n  enterprises:\n    "0367":\n      token: ${T}\n      lines: { "_X.": {} }\n',
      "ivr.yaml:5:16: smart.enterprises.0367.lines._X.: a line is the number Asterisk calls it by (e.g. 0001363): digits and letters, _ . -, an optional leading +",
    ],
    ['smart:\n  enterprises:\n    "03 67]\\n[evil":\n      token: ${T}\n', "ivr.yaml:3:5: smart.enterprises.03 67]\\x0a[evil: an enterprise id is digits and letters, _ . - (e.g. 0367)"],
    [
      'smart:\n  enterprises:\n    "0367":\n      token: ${T}\n      lines: { "0001363": { fallback: "ctx,1,Dial(x)" } }\n',
      "ivr.yaml:5:39: smart.enterprises.0367.lines.0001363.fallback: must be a dialplan context name (letters, digits, _ - . +)",
    ],
    ['dids:\n  0212345678: {}\n  "0212345678": {}\n', `ivr.yaml:3:3: the key "0212345678" appears twice in this mapping: keep one`],
  ])("%j", (text, expected) => {
    expect(errorsOf(text)).toEqual([expected]);
  });

  test("every problem is reported at once, in file order", () => {
    const lines = errorsOf("default:\n  max_attempts: x\n  dial_options: a,b\ndids:\n  '1':\n    queues: []\n");
    expect(lines.map((line) => line.split(":").slice(1, 3).join(":"))).toEqual(["2:17", "3:17", "6:13"]);
  });
});

describe("where the config is found", () => {
  test("--config, then $IVR_CONFIG, then the seed's search path", () => {
    expect(findConfig("/x/flag.yaml", { IVR_CONFIG: "/x/env.yaml" })).toEqual({ path: "/x/flag.yaml", how: "--config" });
    expect(findConfig(undefined, { IVR_CONFIG: "/x/env.yaml" })).toEqual({ path: "/x/env.yaml", how: "$IVR_CONFIG" });
    expect(SEARCH_PATHS.slice(0, 5)).toEqual([
      "/var/lib/asterisk/agi-bin/config.yaml",
      "/var/lib/asterisk/agi-bin/ivr-config.yaml",
      "/etc/asterisk/ivr-config.yaml",
      "/usr/local/etc/asterisk/ivr-config.yaml",
      "./config.yaml",
    ]);
  });
});
