import { describe, expect, test } from "bun:test";
import { EnvReader, MAX_ENV_BYTES, MAX_ENV_LINES } from "../../src/agi/env-reader.ts";
import { AgiProtocolError } from "../../src/agi/errors.ts";
import { AgiInputParser } from "../../src/agi/input.ts";
import { asteriskBytes, recorded } from "../helpers/transcript.ts";

function envOf(lines: string[]) {
  const reader = new EnvReader();
  for (const line of lines) reader.push(line);
  return reader.finish();
}

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

  test("a first line that is not agi_KEY: VALUE is a protocol error naming the line", () => {
    expect(() => envOf(["GET / HTTP/1.1"])).toThrow(AgiProtocolError);
    const [event] = new AgiInputParser().push("GET / HTTP/1.1\r\n");
    expect(event?.type === "error" && event.error.message).toBe('not an AGI environment line: "GET / HTTP/1.1"');
    expect(() => envOf(["Host: example.com"])).toThrow(AgiProtocolError);
  });

  // Asterisk writes values unescaped: a caller name holding line breaks arrives as several lines.
  test("a line that is not a new key continues the previous value, as data", () => {
    const env = envOf([
      "agi_uniqueid: 1.1",
      "agi_callerid: +66812345678",
      "agi_calleridname: Anna",
      "Smith: Jr",
      "",
      "HANGUP",
      "agi_uniqueid: 666",
      "agi_callerid: 666",
      "agi_callingpres: 0",
      "agi_extension: 0212345678",
    ]);
    expect(env.calleridname).toBe("Anna\nSmith: Jr\n\nHANGUP\nagi_uniqueid: 666\nagi_callerid: 666");
    // Keys Asterisk writes before the name are never replaced by a line inside it.
    expect(env.uniqueid).toBe("1.1");
    expect(env.callerid).toBe("+66812345678");
    expect(env.vars.callingpres).toBe("0");
    expect(env.extension).toBe("0212345678");
  });

  test("a key Asterisk writes after the name, forged inside it, is replaced by Asterisk's own line", () => {
    const env = envOf(["agi_calleridname: Bob", "agi_extension: 999", "agi_callingpres: 0", "agi_extension: 0212345678", "agi_arg_1: 0299999999"]);
    expect(env.extension).toBe("0212345678");
    expect(env.args).toEqual(["0299999999"]);
  });

  test("HANGUP inside the environment is data: res_agi writes the whole environment first", () => {
    const events = new AgiInputParser().push("agi_uniqueid: 1.1\nagi_calleridname: a\nHANGUP\n\nHANGUP\n");
    expect(events.map((e) => e.type)).toEqual(["env", "hangup"]);
    expect(events[0]).toMatchObject({ env: { calleridname: "a\nHANGUP" } });
  });

  test("an environment past its bounds is a protocol error, whatever the lines", () => {
    const many = Array.from({ length: MAX_ENV_LINES + 1 }, (_, i) => `agi_x${i}: ${i}`);
    expect(() => envOf(many)).toThrow(`longer than ${MAX_ENV_LINES} lines`);
    const big = Array.from({ length: 40 }, (_, i) => `agi_x${i}: ${"y".repeat(2000)}`);
    expect(() => envOf(big)).toThrow(`larger than ${MAX_ENV_BYTES} bytes`);
    // One endless value, its lines continuing each other, is bounded the same way.
    const parser = new AgiInputParser();
    const events = Array.from({ length: 10_000 }, () => parser.push(`agi_calleridname: ${"z".repeat(100)}\n`)).flat();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "error", error: { message: expect.stringContaining(`longer than ${MAX_ENV_LINES} lines`) } });
  });
});
