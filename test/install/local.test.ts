import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, chmodSync, chownSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { runInstall, targetRoot } from "../helpers/install-run.ts";
import { startServeProcess } from "../helpers/serve-process.ts";
import { perCallSimulated } from "../helpers/simulated-call.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const asRoot = process.getuid?.() === 0;

/** A user that exists here, to stand in for the Asterisk user, with its group. */
const standIn = (() => {
  for (const user of ["daemon", "nobody"]) {
    const id = (flag: string) => Bun.spawnSync(["id", flag, user]).stdout.toString().trim();
    if (Bun.spawnSync(["id", user]).exitCode === 0) return { user, uid: Number(id("-u")), gid: Number(id("-g")), group: id("-gn") };
  }
  throw new Error("neither daemon nor nobody exists here");
})();

describe("install.sh --local", () => {
  test("installs binary, config, prompts and unit; checks the config; prints the dialplan lines", async () => {
    const t = targetRoot();
    const { stdout, code } = await runInstall(["--local", "--binary", binary, ...t.dirArgs]);
    expect(code).toBe(0);
    expect(mode(join(t.agiDir, "ivr"))).toBe("755");
    // The sample, recording calls in --db-dir instead of the repository's data/.
    const sample = readFileSync(join(import.meta.dir, "..", "..", "config", "ivr.yaml"), "utf8");
    expect(readFileSync(join(t.agiDir, "config.yaml"), "utf8")).toBe(sample.replace("\n  path: ../data/ivr.sqlite\n", `\n  path: "${t.dbDir}/ivr.sqlite"\n`));
    for (const prompt of ["welcome", "invalid", "goodbye"]) expect(mode(join(t.soundsDir, `${prompt}.wav`))).toBe("644");
    const unit = readFileSync(join(t.unitDir, "ivr.service"), "utf8");
    // No --db: the service records where the config says, as per-call processes do.
    expect(unit).toContain(`ExecStart=${t.agiDir}/ivr serve --config ${t.agiDir}/config.yaml --fastagi 127.0.0.1:4573\n`);
    expect(statSync(t.dbDir).isDirectory()).toBe(true);
    expect(stdout).toContain(`✓ ${t.agiDir}/config.yaml is valid`);
    expect(stdout).toContain(`Call history: ${t.dbDir}/ivr.sqlite (database.path;`);
    expect(stdout).not.toContain("add to");
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

  test("a second run keeps an existing config's mode and owner: it may hold admin_token (9.9)", async () => {
    const t = targetRoot();
    const args = ["--local", "--binary", binary, "--no-service", "--asterisk-user", standIn.user, ...t.dirArgs];
    expect((await runInstall(args)).code).toBe(0);
    const config = join(t.agiDir, "config.yaml");
    writeFileSync(config, "server:\n  admin_token: not-for-everyone-0123456789\n");
    chmodSync(config, 0o600);
    if (asRoot) chownSync(config, standIn.uid, standIn.gid);
    const before = statSync(config);
    expect((await runInstall(args)).code).toBe(0);
    const after = statSync(config);
    expect({ mode: mode(config), uid: after.uid, gid: after.gid }).toEqual({ mode: "600", uid: before.uid, gid: before.gid });
    expect(readFileSync(config, "utf8")).toContain("not-for-everyone");
    expect(mode(`${config}.new`)).toBe("640");
  });

  test("a new config is 0640, root and the Asterisk user's group; the history directory is that user's", async () => {
    const t = targetRoot();
    const { stdout, code } = await runInstall(["--local", "--binary", binary, "--asterisk-user", standIn.user, ...t.dirArgs]);
    expect(code).toBe(0);
    const config = statSync(join(t.agiDir, "config.yaml"));
    expect(mode(join(t.agiDir, "config.yaml"))).toBe("640");
    expect(readFileSync(join(t.unitDir, "ivr.service"), "utf8")).toContain(`User=${standIn.user}\nGroup=${standIn.group}\n`);
    if (asRoot) {
      expect({ uid: config.uid, gid: config.gid }).toEqual({ uid: 0, gid: standIn.gid });
      expect({ uid: statSync(t.dbDir).uid, mode: mode(t.dbDir) }).toEqual({ uid: standIn.uid, mode: "750" });
    }
    expect(stdout).not.toContain("readable by all");
  });

  test("without the Asterisk user, a new config is 0644 and the script says so", async () => {
    const t = targetRoot();
    const { stdout, code } = await runInstall(["--local", "--binary", binary, "--no-service", "--asterisk-user", "no-such-user-ivr", ...t.dirArgs]);
    expect(code).toBe(0);
    expect(mode(join(t.agiDir, "config.yaml"))).toBe("644");
    expect(stdout).toContain("config:  no user no-such-user-ivr here, so it is readable by all (0644)");
  });

  test("--db-dir: a per-call process and the installed service record in the same file (9.9)", async () => {
    const t = targetRoot();
    expect((await runInstall(["--local", "--binary", binary, ...t.dirArgs])).code).toBe(0);
    const installed = join(t.agiDir, "ivr");

    // As Asterisk runs it: from agi-bin, no flags, no $IVR_DB; it finds the config beside it.
    const perCall = await perCallSimulated(installed, { did: "0212345678", caller: "+66811111111", press: "1", result: "answer" }, { cwd: t.root, env: { IVR_CACHE_DIR: join(t.root, "cache") } });
    expect(perCall.code).toBe(0);
    expect(perCall.asterisk.conversation).toContain("> EXEC Queue 10001");

    // As systemd runs it: the unit's command line, on free ports.
    const execStart = /^ExecStart=(.*)$/m.exec(readFileSync(join(t.unitDir, "ivr.service"), "utf8"))![1]!.split(" ");
    const service = await startServeProcess([...execStart, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], { cwd: "/" });
    const viaService = Bun.spawnSync([installed, "simulate", "--fastagi", `127.0.0.1:${service.fastagiPort}`, "--did", "0212345678", "--caller", "+66822222222", "--press", "2"]);
    expect(viaService.exitCode).toBe(0);
    expect((await service.stop()).code).toBe(0);

    const history = new Database(join(t.dbDir, "ivr.sqlite"), { readonly: true });
    const rows = history.query("SELECT external_number AS caller, destination FROM calls ORDER BY id").all();
    history.close();
    expect(rows).toEqual([
      { caller: "+66811111111", destination: "10001" },
      { caller: "+66822222222", destination: "10002" },
    ]);
  });

  test("an existing config that records elsewhere: the script says where, and what to add", async () => {
    const t = targetRoot();
    const args = ["--local", "--binary", binary, "--no-service", ...t.dirArgs];
    expect((await runInstall(args)).code).toBe(0);
    writeFileSync(join(t.agiDir, "config.yaml"), 'default:\n  queues: { "1": "10001" }\n');
    const { stdout, code } = await runInstall(args);
    expect(code).toBe(0);
    expect(stdout).toContain("Call history: /var/lib/asterisk/ivr/ivr.sqlite (the default;");
    expect(stdout).toContain(
      [
        `  history: your ${t.agiDir}/config.yaml records calls in /var/lib/asterisk/ivr/ivr.sqlite (per call and in the service), not in ${t.dbDir}/.`,
        `           To record them in ${t.dbDir}/, add to ${t.agiDir}/config.yaml:`,
        "             database:",
        `               path: "${t.dbDir}/ivr.sqlite"`,
      ].join("\n"),
    );
  });
});
