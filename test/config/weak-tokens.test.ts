import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { weakTokenWarnings } from "../../src/config/weak-tokens.ts";
import { errorsOf } from "../helpers/config-errors.ts";

const enterprise = (token: string, extra = "") => `smart:\n  enterprises:\n    "0367":\n      token: ${token}\n${extra}`;

describe("Smart tokens already deployed on the PBXs", () => {
  test("a short token is accepted, and warned about with the reason and what to do", () => {
    const config = parseConfig(enterprise("id0367"), "ivr.yaml");
    expect(config.smart?.enterprises?.["0367"]?.token).toBe("id0367");
    const [warning, ...rest] = weakTokenWarnings(config, {});
    expect(rest).toEqual([]);
    expect(warning?.enterprise).toBe("0367");
    expect(warning?.warning).toContain("the token of enterprise 0367 has only 6 characters: it can be guessed");
    expect(warning?.warning).toContain("restrict it to the PBXs' addresses with allow_ips");
  });

  test("with allow_ips the warning says who may try; a token from the environment is judged by its value", () => {
    const limited = parseConfig(enterprise("id0367", '      allow_ips: ["10.88.10.19/32"]\n'), "ivr.yaml");
    expect(weakTokenWarnings(limited, {})[0]?.warning).toContain("only 10.88.10.19/32 may try it (allow_ips)");
    const fromEnv = parseConfig(enterprise("${T}"), "ivr.yaml");
    expect(weakTokenWarnings(fromEnv, { T: "short" })).toHaveLength(1);
    expect(weakTokenWarnings(fromEnv, { T: "a-token-of-twenty-chars" })).toEqual([]);
    expect(weakTokenWarnings(fromEnv, {})).toEqual([]); // not set here: described by ivr check's notes
  });

  test("only an empty token is refused; server.admin_token (ours to choose) still needs 16 characters", () => {
    expect(errorsOf(enterprise('""'))).toEqual(["ivr.yaml:4:14: smart.enterprises.0367.token: must not be empty"]);
    expect(errorsOf("server:\n  admin_token: short\n")).toEqual([
      "ivr.yaml:2:16: server.admin_token: must be at least 16 characters, or ${ENV_VAR} to take it from the environment",
    ]);
  });
});
