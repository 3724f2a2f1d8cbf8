/**
 * install.sh against a real sshd on 127.0.0.1. Not part of `npm test` (it needs
 * openssh-server, which .ci/run installs); run it with `npm run test:ssh`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, chmodSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { ROOT, runInstall, targetRoot } from "../helpers/install-run.ts";
import { type Sshd, startSshd } from "../helpers/sshd.ts";

let sshd: Sshd;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(() => sshd?.stop());

async function onTarget(command: string) {
  const args = ["ssh", "-p", String(sshd.port), "-i", sshd.sshArgs[3]!, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", sshd.target, command];
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe" });
  const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return { stdout, code };
}

describe("install.sh over ssh", () => {
  test("installs (building the binary if needed), and the binary runs on the target", async () => {
    const t = targetRoot();
    const { stdout, stderr, code } = await runInstall([sshd.target, ...sshd.sshArgs, "--no-service", ...t.dirArgs]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain(`installing on ${sshd.target}:`);
    expect(stdout).toContain(`✓ ${t.agiDir}/config.yaml is valid`);

    const version = await onTarget(`${t.agiDir}/ivr version`);
    expect(version).toEqual({ code: 0, stdout: `ivr ${(await Bun.file(join(ROOT, "package.json")).json()).version}\n` });
    const call = await onTarget(`${t.agiDir}/ivr simulate --config ${t.agiDir}/config.yaml --did 0212345678 --press 1`);
    expect(call.code).toBe(0);
    expect(call.stdout).toContain("> EXEC Queue 10001");
  });

  test("a second install keeps the existing config and says so", async () => {
    const t = targetRoot();
    expect((await runInstall([sshd.target, ...sshd.sshArgs, "--no-service", ...t.dirArgs])).code).toBe(0);
    appendFileSync(join(t.agiDir, "config.yaml"), "# edited on the server\n");
    chmodSync(join(t.agiDir, "config.yaml"), 0o600); // it may hold admin_token
    const again = await runInstall([sshd.target, ...sshd.sshArgs, ...t.dirArgs]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`kept your ${t.agiDir}/config.yaml; the new sample is ${t.agiDir}/config.yaml.new`);
    expect(readFileSync(join(t.agiDir, "config.yaml"), "utf8")).toEndWith("# edited on the server\n");
    expect((statSync(join(t.agiDir, "config.yaml")).mode & 0o777).toString(8)).toBe("600");
    // The kept config names --db-dir (the first install wrote it), so nothing to add.
    expect(again.stdout).toContain(`Call history: ${t.dbDir}/ivr.sqlite (database.path;`);
    expect(again.stdout).not.toContain("add to");
    expect(readFileSync(join(t.unitDir, "ivr.service"), "utf8")).toContain(`ExecStart=${t.agiDir}/ivr serve --config ${t.agiDir}/config.yaml --fastagi 127.0.0.1:4573\n`);
  });

  test("ssh failures are clear: a closed port, a key that is not accepted", async () => {
    const t = targetRoot();
    const wrongPort = sshd.sshArgs.map((arg, i) => (sshd.sshArgs[i - 1] === "--port" ? "1" : arg));
    const closed = await runInstall([sshd.target, ...wrongPort, ...t.dirArgs]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain(`install.sh: cannot reach ${sshd.target} over ssh (port 1)`);
    expect(closed.stderr).toContain("Check the address, --port");

    const noKey = sshd.sshArgs.map((arg, i) => (sshd.sshArgs[i - 1] === "--identity" ? "/dev/null" : arg));
    const refused = await runInstall([`nobody-here@127.0.0.1`, ...noKey, ...t.dirArgs]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot reach nobody-here@127\.0\.0\.1 over ssh .*Permission denied/s);
  });
});
