import { describe, expect, test } from "bun:test";
import { describeAmi } from "../../src/ami/describe.ts";
import { EXCLUDED_EVENTS, managerConf, permitValue } from "../../src/ami/manager-conf.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { parseConfig } from "../../src/config/load.ts";
import { trunkMatcher } from "../../src/tracking/trunks.ts";

const parse = (yaml: string) => parseConfig(yaml, "ivr.yaml");
const errors = (yaml: string) => {
  try {
    parse(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error("expected the config to be refused");
};

describe("the ami: section", () => {
  test("read with its numbers; secrets as written (a ${VAR} reference stays a reference)", () => {
    const { ami } = parse(`ami:
  host: 127.0.0.1
  port: 5038
  username: ivr
  secret: \${AMI_SECRET}
  trunks: [PJSIP/mtt, SIP/beeline]
  trunk_pattern: ^PJSIP/trunk-
  ping_interval_seconds: 10
  queue_max_events: 50000
`);
    expect(ami).toEqual({ host: "127.0.0.1", port: 5038, username: "ivr", secret: "${AMI_SECRET}", trunks: ["PJSIP/mtt", "SIP/beeline"], trunk_pattern: "^PJSIP/trunk-", ping_interval_seconds: 10, queue_max_events: 50000 });
  });

  test("mistakes are reported with their positions, all at once", () => {
    const message = errors(`ami:
  host: 127.0.0.1
  port: 99999
  secret: x
  trunks: [mtt]
  trunk_pattern: "([unclosed"
  trunk: PJSIP/mtt
`);
    expect(message).toContain("ivr.yaml:3:9: ami.port: must be between 1 and 65535");
    expect(message).toContain("ami.username: is required");
    expect(message).toContain("ivr.yaml:5:12: ami.trunks.0: must be a channel technology and endpoint, e.g. PJSIP/mtt");
    expect(message).toContain("ivr.yaml:6:18: ami.trunk_pattern: must be a valid regular expression");
    expect(message).toContain('ivr.yaml:7:3: ami.trunk: unknown key "trunk" (did you mean "trunks"?)');
  });

  test("ivr check's summary: where it connects, the trunks, what is missing", () => {
    const config = parse("ami:\n  host: pbx.local\n  username: ivr\n  secret: ${AMI_SECRET}\n");
    expect(describeAmi(config, {})).toEqual({
      description: 'ivr serve connects to pbx.local:5038 as "ivr"; trunks: none',
      notes: [
        "${AMI_SECRET} is not set here: ivr serve needs it in its environment",
        "no trunks or trunk_pattern: every call will be recorded as internal (no inbound or outbound)",
        "no country: outside numbers without + are kept as dialled, not E.164",
      ],
    });
    expect(describeAmi(parse("country: TH\n"))).toBeUndefined();
  });

  test("trunks: an endpoint without its channel suffix, or a pattern on the channel name", () => {
    const isTrunk = trunkMatcher({ trunks: ["PJSIP/mtt"], trunk_pattern: "^SIP/beeline-" });
    expect(isTrunk("PJSIP/mtt-0000001a", "PJSIP/mtt")).toBe(true);
    expect(isTrunk("PJSIP/mtt2-0000001a", "PJSIP/mtt2")).toBe(false);
    expect(isTrunk("SIP/beeline-00000003", "SIP/beeline")).toBe(true);
    expect(isTrunk("PJSIP/101-00000004", "PJSIP/101")).toBe(false);
    expect(trunkMatcher(undefined)("PJSIP/mtt-1", "PJSIP/mtt")).toBe(false);
  });
});

describe("ivr ami --manager-conf", () => {
  const text = managerConf({ username: "ivr", permit: "127.0.0.1", host: "127.0.0.1" });
  const lines = text.split("\n").filter((line) => line && !line.startsWith(";"));

  test("least privilege: read call,agent,system; write reporting,originate,call; the secret never printed", () => {
    expect(lines).toEqual([
      "[ivr]",
      "secret = REPLACE-WITH-THE-AMI-SECRET",
      "deny = 0.0.0.0/0.0.0.0",
      "permit = 127.0.0.1/255.255.255.255",
      "read = call,agent,system",
      "write = reporting,originate,call",
      "writetimeout = 1000",
      ...EXCLUDED_EVENTS.map((name) => `eventfilter(action(exclude),name(${name})) =`),
    ]);
  });

  test("event filters in Asterisk 22's advanced syntax drop VarSet, Newexten and RTCP", () => {
    expect(text).toContain("eventfilter(action(exclude),name(VarSet)) =\n");
    expect(text).toContain("eventfilter(action(exclude),name(Newexten)) =\n");
    expect(text).toContain("eventfilter(action(exclude),name(RTCPSent)) =\n");
    expect(text).not.toMatch(/^eventfilter\s*=\s*!/m); // not the legacy regex form
  });

  test("permit: an address becomes a host mask, a network stays; a remote ivr is pointed out", () => {
    expect(permitValue("10.0.0.5")).toBe("10.0.0.5/255.255.255.255");
    expect(permitValue("10.0.0.0/24")).toBe("10.0.0.0/24");
    expect(permitValue("::1")).toBe("::1/128");
    expect(managerConf({ username: "ivr", permit: "10.0.0.5", host: "10.0.0.1" })).toContain("; ivr serve connects to 10.0.0.1 from another machine");
  });
});
