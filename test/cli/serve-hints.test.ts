import { describe, expect, test } from "bun:test";
import { ivrCommand, nextSteps } from "../../src/cli/serve-hints.ts";

describe("ivr serve's next steps", () => {
  test("how to run ivr: the binary, relative when under the working directory; from source, bun and the entry", () => {
    expect(ivrCommand(true, "/repo/dist/ivr", "/$bunfs/root/ivr", "/repo")).toBe("./dist/ivr");
    expect(ivrCommand(true, "/var/lib/asterisk/agi-bin/ivr", "/$bunfs/root/ivr", "/root")).toBe("/var/lib/asterisk/agi-bin/ivr");
    expect(ivrCommand(true, "/opt/my ivr/ivr", "", "/root")).toBe("'/opt/my ivr/ivr'");
    expect(ivrCommand(false, "/usr/bin/bun", "/repo/src/main.ts", "/repo")).toBe("bun src/main.ts");
  });

  test("a wildcard address becomes loopback for the commands, and the dialplan line says so", () => {
    const steps = nextSteps({ ivr: "ivr", config: {}, configPath: "/etc/ivr.yaml", dbFlag: undefined, fastagi: { hostname: "0.0.0.0", port: 4573 }, http: { hostname: "::", port: 8021 } });
    expect(steps).toEqual([
      "next steps:",
      "  a test call through this server: ivr simulate --fastagi 127.0.0.1:4573 --did 0212345678",
      "  the calls it recorded:           ivr calls --config /etc/ivr.yaml",
      "  in extensions.conf:              exten => _X.,1,AGI(agi://127.0.0.1:4573/ivr) (from another host: this machine's address)",
      "  health:                          curl http://[::1]:8021/health",
    ]);
  });

  test("the call uses the config's first DID and its first queue key", () => {
    const config = { dids: { "029": { queues: { "5": "sales" } } }, default: { queues: { "1": "10001" } } };
    const [, call] = nextSteps({ ivr: "ivr", config, configPath: "c.yaml", dbFlag: "/tmp/h.sqlite", fastagi: { hostname: "127.0.0.1", port: 1 }, http: { hostname: "127.0.0.1", port: 2 } });
    expect(call).toBe("  a test call through this server: ivr simulate --fastagi 127.0.0.1:1 --did 029 --press 5");
  });
});
