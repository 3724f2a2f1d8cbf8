import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { generatedBlock, outboundContext } from "../../src/originate/dialplan.ts";
import { checkExtensionsConf } from "../../src/smart/dialplan-check.ts";
import { buildPlan } from "../../src/smart/plan.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { outboundYaml } from "../helpers/outbound.ts";

const dir = mkdtempSync(join(tmpdir(), "ivr-outbound-cli-"));
const configFile = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const GOOD = configFile("ivr.yaml", outboundYaml(5038));
let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const run = (...args: string[]) => {
  const proc = Bun.spawnSync([binary, ...args], { env: { PATH: "/usr/bin:/bin", AMI_TEST_SECRET: "x" }, timeout: 15_000 });
  return { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() };
};

describe("the generated context: Originate lands in it, it hands the call to agi://.../outbound", () => {
  test("its lines, valid extensions.conf, after the Smart Redirect contexts in the same block", () => {
    const config = parseConfig(outboundYaml(5038, "server:\n  fastagi: 10.0.0.2:4573\n"), "t.yaml");
    expect(outboundContext(config)).toEqual([
      "; Outbound calls of ivr serve (click-to-call, callbacks, campaigns), from the outbound: section.",
      "; AMI Originate lands here when the first leg answers; ${IVR_CALL} is the call id.",
      "[ivr-outbound]",
      "exten => s,1,NoOp(ivr outbound ${IVR_CALL})",
      " same => n,AGI(agi://10.0.0.2:4573/outbound,${IVR_CALL})",
      " same => n,Hangup()",
    ]);
    const block = generatedBlock(config, buildPlan(config));
    expect(checkExtensionsConf(block.join("\n"))).toEqual([]);
    expect(block.some((line) => /System|Exec|SHELL|EVAL/.test(line))).toBe(false);
    expect(outboundContext(parseConfig("{}", "t.yaml"))).toEqual([]);
  });

  test("ivr dialplan prints it within the markers", () => {
    const { code, stdout, stderr } = run("dialplan", "--config", GOOD);
    expect(code).toBe(0);
    expect(stdout).toContain("[ivr-outbound]\nexten => s,1,NoOp(ivr outbound ${IVR_CALL})\n same => n,AGI(agi://127.0.0.1:4573/outbound,${IVR_CALL})\n same => n,Hangup()\n;****");
    expect(stderr).toContain("no line has Smart Redirect, and the outbound context [ivr-outbound]");
  });

  test("ivr dialplan --write puts it into extensions.conf; --check then says up to date", () => {
    const conf = configFile("extensions.conf", "[from-internal]\nexten => _X.,1,Dial(PJSIP/${EXTEN})\n");
    expect(run("dialplan", "--config", GOOD, "--write", conf).code).toBe(0);
    expect(readFileSync(conf, "utf8")).toContain("[ivr-outbound]");
    expect(run("dialplan", "--config", GOOD, "--write", conf, "--check").stdout).toContain("up to date");
  });
});

describe("ivr check", () => {
  test("describes the outbound calls and the AMI rights they need", () => {
    const { code, stdout } = run("check", "--config", GOOD);
    expect(code).toBe(0);
    expect(stdout).toContain("Outbound: calls land in [ivr-outbound], which runs AGI(agi://127.0.0.1:4573/outbound)");
    expect(stdout).toContain("trunk main (default): PJSIP/{number}@mtt, 2 calls at once, 100 a second");
    expect(stdout).toContain("campaign donations: campaigns/donate; keys 0→queue 10001 1→donation_requested 9→opt out; 2 at once, 100 a second; retry busy 2x every 1 s; trunk main");
    expect(stdout).toContain("client crm: POST /api/originate for click-to-call, callback");
    expect(stdout).toContain("the AMI user needs write = originate,call (Originate into the context, Hangup to cancel), never system");
  });

  test("refuses outbound without an ami: section (calls could not be placed)", () => {
    const text = outboundYaml(5038).replace(/^ami:\n(  .*\n)+/m, "");
    const { code, stderr } = run("check", "--config", configFile("no-ami.yaml", text));
    expect(code).toBe(1);
    expect(stderr).toContain("outbound: needs an ami: section");
  });

  test("refuses a config that would need write=system: originating into an application", () => {
    const text = outboundYaml(5038).replace("outbound:\n", "outbound:\n  application: AGI\n");
    const { code, stderr } = run("check", "--config", configFile("app.yaml", text));
    expect(code).toBe(1);
    expect(stderr).toContain("Originate with an application such as AGI needs write=system");
  });

  test.each([
    ["a trunk template with a comma (Dial's next argument)", "dial: PJSIP/{number}@mtt", "dial: PJSIP/{number}@mtt,30", "technology/resource, without spaces, commas"],
    ["a trunk template without the number", "dial: PJSIP/{number}@mtt", "dial: PJSIP/123@mtt", "must contain {number}"],
    ["a campaign on a trunk that does not exist", "      invalid_sound: ivr/invalid", "      invalid_sound: ivr/invalid\n      trunk: nope", 'no trunk "nope"'],
    ["a key doing nothing", '"1": {event: donation_requested, sound: campaigns/thanks}', '"1": {sound: campaigns/thanks}', "a key needs at least one of event, opt_out, transfer, hangup"],
  ])("refuses %s", (_what, from, to, message) => {
    const text = outboundYaml(5038).replace(from, to);
    expect(text).not.toBe(outboundYaml(5038));
    const { code, stderr } = run("check", "--config", configFile("bad.yaml", text));
    expect(code).toBe(1);
    expect(stderr).toContain(message);
  });
});

describe("ivr simulate --campaign and ivr ami", () => {
  test("a campaign's menu: the conversation, what each key would do, nothing done", () => {
    const { code, stdout } = run("simulate", "--config", GOOD, "--campaign", "donations", "--press", "79", "--caller", "80291234567");
    expect(code).toBe(0);
    expect(stdout).toContain("Simulated answer of a call from campaign donations");
    expect(stdout).toContain('> STREAM FILE campaigns/donate "0123456789*#"');
    expect(stdout).toContain("> STREAM FILE ivr/invalid");
    expect(stdout).toContain("key 7: invalid\nkey 9: opt_out\nwould add +375291234567 to the do-not-call list");
    expect(stdout).toContain('Keys recorded with the call: ["7","9"]');
  });

  test("an unknown campaign is an error", () => {
    const { code, stderr } = run("simulate", "--config", GOOD, "--campaign", "nope");
    expect(code).toBe(1);
    expect(stderr).toContain('no campaign "nope" under outbound.campaigns');
  });

  test("ivr ami --manager-conf: write = reporting,originate,call, never system", () => {
    const { stdout } = run("ami", "--manager-conf", "--config", GOOD);
    expect(stdout).toContain("\nwrite = reporting,originate,call\n");
    expect(stdout).not.toMatch(/^write = .*system/m);
  });
});
