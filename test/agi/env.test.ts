import { describe, expect, test } from "bun:test";
import { buildEnv, parseEnvLine } from "../../src/agi/env.ts";
import { AgiProtocolError } from "../../src/agi/errors.ts";
import { AgiInputParser } from "../../src/agi/input.ts";
import { asteriskBytes, recorded } from "../helpers/transcript.ts";

const envOf = (lines: string[]) => buildEnv(lines.map(parseEnvLine));

describe("AGI environment", () => {
  test("FastAGI recording: network, script and every standard key", () => {
    const [event] = new AgiInputParser().push(asteriskBytes(recorded("fastagi-menu-digit2-queue")));
    if (event?.type !== "env") throw new Error("no env");
    const { env } = event;
    expect(env).toMatchObject({
      network: true,
      script: "menu",
      params: {},
      request: "agi://127.0.0.1:14573/menu",
      channel: "Local/0212345678@probe-fast-00000004;2",
      uniqueid: "1795264117.9",
      version: "22.11.0-rc1",
      callerid: "+66812345678",
      calleridname: "Test Caller",
      dnid: "unknown",
      rdnis: "unknown",
      context: "probe-fast",
      extension: "0212345678",
      priority: "2",
      accountcode: "",
      args: [],
    });
    expect(env.vars.threadid).toBe("140603268576960");
    expect(env.vars.enhanced).toBe("0.0");
  });

  test("stdin recording: script is the file name, AGI() arguments in order", () => {
    const [event] = new AgiInputParser().push(asteriskBytes(recorded("stdin-menu-digit1-queue")));
    if (event?.type !== "env") throw new Error("no env");
    expect(event.env).toMatchObject({ network: false, script: "probe", args: ["menu"] });
  });

  test("values are split on the first ': ' only; empty values; unknown keys kept", () => {
    const env = envOf([
      "agi_calleridname: Acme: Sales: Desk",
      "agi_accountcode: ",
      "agi_rdnis:",
      "agi_x_custom_header: kept",
      "agi_network: yes",
      "agi_network_script: ivr/?did=0212345678&name=A%20B&plus=a+b",
    ]);
    expect(env.calleridname).toBe("Acme: Sales: Desk");
    expect(env.accountcode).toBe("");
    expect(env.rdnis).toBe("");
    expect(env.vars.x_custom_header).toBe("kept");
    expect(env.script).toBe("ivr");
    expect(env.params).toEqual({ did: "0212345678", name: "A B", plus: "a b" });
  });

  test("agi_arg_12 sorts after agi_arg_2, holes are filled", () => {
    const lines = Array.from({ length: 12 }, (_, i) => `agi_arg_${i + 1}: a${i + 1}`).reverse();
    expect(envOf(lines).args).toEqual(Array.from({ length: 12 }, (_, i) => `a${i + 1}`));
    expect(envOf(["agi_arg_3: c", "agi_arg_1: a"]).args).toEqual(["a", "", "c"]);
  });

  test("a line that is not KEY: VALUE is a protocol error naming the line", () => {
    expect(() => parseEnvLine("GET / HTTP/1.1")).toThrow(AgiProtocolError);
    expect(() => new AgiInputParser().push("GET / HTTP/1.1\r\n")).toThrow(/not an AGI environment line: "GET \/ HTTP\/1.1"/);
  });

  test("HANGUP is out of band even before the environment ends", () => {
    const events = new AgiInputParser().push("agi_uniqueid: 1.1\nHANGUP\n\n");
    expect(events.map((e) => e.type)).toEqual(["hangup", "env"]);
  });
});
