import { beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { runInstall, targetRoot } from "../helpers/install-run.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe("install.sh --local", () => {
  test("installs binary, config, prompts and unit; checks the config; prints the dialplan lines", async () => {
    const t = targetRoot();
    const { stdout, code } = await runInstall(["--local", "--binary", binary, ...t.dirArgs]);
    expect(code).toBe(0);
    expect(mode(join(t.agiDir, "ivr"))).toBe("755");
    expect(readFileSync(join(t.agiDir, "config.yaml"), "utf8")).toBe(readFileSync(join(import.meta.dir, "..", "..", "config", "ivr.yaml"), "utf8"));
    for (const prompt of ["welcome", "invalid", "goodbye"]) expect(mode(join(t.soundsDir, `${prompt}.wav`))).toBe("644");
    const unit = readFileSync(join(t.unitDir, "ivr.service"), "utf8");
    expect(unit).toContain(`ExecStart=${t.agiDir}/ivr serve --config ${t.agiDir}/config.yaml --fastagi 127.0.0.1:4573 --db ${t.dbDir}/ivr.sqlite`);
    expect(statSync(t.dbDir).isDirectory()).toBe(true);
    expect(stdout).toContain(`✓ ${t.agiDir}/config.yaml is valid`);
    expect(stdout).toContain(`exten => _X.,1,AGI(${t.agiDir}/ivr)`);
    expect(stdout).toContain("systemd is not running here");

    // Installed outside /var/lib/asterisk/agi-bin, the binary still finds the config beside it.
    const check = Bun.spawn([join(t.agiDir, "ivr"), "check"], { cwd: t.root, env: { PATH: "/usr/bin:/bin" }, stdout: "pipe" });
    expect(await new Response(check.stdout).text()).toContain(`✓ ${t.agiDir}/config.yaml is valid (found by beside the binary)`);
  });

  test("an existing config is never overwritten: the sample goes to config.yaml.new", async () => {
    const t = targetRoot();
    await runInstall(["--local", "--binary", binary, "--no-service", ...t.dirArgs]);
    appendFileSync(join(t.agiDir, "config.yaml"), "# my own edit\n");
    const second = await runInstall(["--local", "--binary", binary, "--no-service", ...t.dirArgs]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`kept your ${t.agiDir}/config.yaml; the new sample is ${t.agiDir}/config.yaml.new`);
    expect(readFileSync(join(t.agiDir, "config.yaml"), "utf8")).toEndWith("# my own edit\n");
    expect(readFileSync(join(t.agiDir, "config.yaml.new"), "utf8")).not.toContain("# my own edit");
  });

  test("an invalid config on the target fails the install, with its errors", async () => {
    const t = targetRoot();
    await runInstall(["--local", "--binary", binary, "--no-service", ...t.dirArgs]);
    writeFileSync(join(t.agiDir, "config.yaml"), "default:\n  max_attempts: lots\n");
    const { code, stderr } = await runInstall(["--local", "--binary", binary, "--no-service", ...t.dirArgs]);
    expect(code).toBe(1);
    expect(stderr).toContain(`${t.agiDir}/config.yaml:2:17: default.max_attempts: must be a whole number`);
  });

  test("bad arguments say what is wrong", async () => {
    expect(await runInstall([])).toMatchObject({ code: 2, stderr: expect.stringContaining("Usage: ./install.sh [user@]host") });
    expect(await runInstall(["--local", "host"])).toMatchObject({ code: 1, stderr: expect.stringContaining("exclude each other") });
    expect(await runInstall(["host", "--port", "ssh"])).toMatchObject({ code: 1, stderr: expect.stringContaining("--port takes a number") });
    expect(await runInstall(["--local", "--agi-dir", "relative/dir"])).toMatchObject({ code: 1, stderr: expect.stringContaining("must be absolute") });
    expect(await runInstall(["--bogus"])).toMatchObject({ code: 1, stderr: expect.stringContaining("unknown option --bogus") });
  });
});
