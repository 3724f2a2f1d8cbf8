import { describe, expect, test } from "bun:test";
import { lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../../src/config/load.ts";
import { ConfigStore } from "../../src/config/store.ts";
import { MARKER } from "../../src/smart/markers.ts";
import { type CommandRunner, regenerateDialplan, runShell } from "../../src/smart/regenerate.ts";
import { startServer } from "../../src/server/start.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { waitFor } from "../helpers/wait.ts";

const EXTENSIONS = `[from-out-office]\nexten => _X.,1,NoOp(in)\n${MARKER}\n${MARKER}\n`;

function setup(users: string, reload = "asterisk -rx 'dialplan reload'") {
  const dir = mkdtempSync(join(tmpdir(), "ivr-regen-"));
  const file = join(dir, "extensions.conf");
  writeFileSync(file, EXTENSIONS);
  const yaml = `smart:
  dialplan:
    file: ${file}
    write_on_change: true
    reload_command: ${JSON.stringify(reload)}
  enterprises:
    "0367":
      token: \${T}
      lines: { "0001363": { fallback: from-out-office-fallback } }
      users:
${users}
`;
  const configPath = join(dir, "ivr.yaml");
  writeFileSync(configPath, yaml);
  return { dir, file, configPath, config: parseConfig(yaml, configPath) };
}

const IVAN = '        - { id: 25, name: Ivan, phones: [{ id: 31, number: "150" }] }';
const OLGA = '        - { id: 26, name: Olga, phones: [{ id: 37, number: "152" }] }';

describe("ivr serve keeps the generated dialplan in step with the config", () => {
  test("written once and the reload command run; the same config again changes nothing", async () => {
    const t = setup(IVAN);
    const runs: string[] = [];
    const runner: CommandRunner = async (command) => (runs.push(command), { code: 0, output: "Dialplan reloaded." });
    const { log, text } = captureLog();
    expect(await regenerateDialplan({ config: t.config, path: t.configPath }, log, runner)).toBe("written");
    expect(readFileSync(t.file, "utf8")).toContain("[mngr31_0001363_1]");
    expect(runs).toEqual(["asterisk -rx 'dialplan reload'"]);
    expect(text()).toContain("ran asterisk -rx 'dialplan reload': Dialplan reloaded.");
    expect(await regenerateDialplan({ config: t.config, path: t.configPath }, log, runner)).toBe("unchanged");
    expect(runs).toHaveLength(1);
  });

  test("a symlinked smart.dialplan.file: the target is rewritten, the link stays", async () => {
    const t = setup(IVAN, "true");
    const link = join(t.dir, "linked.conf");
    symlinkSync(t.file, link);
    const config = parseConfig(readFileSync(t.configPath, "utf8").replace(`file: ${t.file}`, `file: ${link}`), t.configPath);
    expect(await regenerateDialplan({ config, path: t.configPath }, captureLog().log)).toBe("written");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(t.file, "utf8")).toContain("[mngr31_0001363_1]");
  });

  test("a plan with errors is never written: the contexts in force stay", async () => {
    const t = setup('        - { id: 25, name: Ivan, phones: [{ id: 31, number: "150" }], follow_me: [{ rings: 2, numbers: ["+375291112233"] }] }');
    const { log, text } = captureLog();
    expect(await regenerateDialplan({ config: t.config, path: t.configPath }, log, async () => ({ code: 0, output: "" }))).toBe("refused");
    expect(readFileSync(t.file, "utf8")).toBe(EXTENSIONS);
    expect(text()).toContain("has no outgoing_context");
    expect(text()).toContain("not rewritten; the contexts in force stay");
  });

  test("a reload command that cannot even start is logged; the regeneration still resolves", async () => {
    const t = setup(IVAN);
    const { log, text } = captureLog();
    const broken: CommandRunner = async () => {
      throw new Error("posix_spawn: ENOENT");
    };
    expect(await regenerateDialplan({ config: t.config, path: t.configPath }, log, broken)).toBe("refused");
    expect(text()).toContain("dialplan: regeneration failed: posix_spawn: ENOENT");
  });

  test("the real shell runs the reload command; a failing one is logged", async () => {
    expect(await runShell("echo reloaded", 5000)).toEqual({ code: 0, output: "reloaded" });
    const t = setup(IVAN, "echo no asterisk here >&2; exit 3");
    const { log, text } = captureLog();
    await regenerateDialplan({ config: t.config, path: t.configPath }, log);
    expect(text()).toContain("exited with 3: no asterisk here");
  });

  test("through ivr serve: at start, and again when the config file changes", async () => {
    const t = setup(IVAN, "true");
    const { log } = captureLog();
    const store = ConfigStore.open(t.configPath, log);
    const stopWatching = store.watch(20);
    const server = startServer({ store, dbPath: join(t.dir, "ivr.sqlite"), fastagi: { hostname: "127.0.0.1", port: 0 }, http: { hostname: "127.0.0.1", port: 0 }, limits: {}, log });
    try {
      await waitFor(() => readFileSync(t.file, "utf8").includes("[mngr31_0001363_1]"), "the block written at start");
      writeFileSync(t.configPath, readFileSync(t.configPath, "utf8").replace(IVAN, `${IVAN}\n${OLGA}`));
      await waitFor(() => readFileSync(t.file, "utf8").includes("[mngr37_0001363_1]"), "the block rewritten after the edit");
      expect(readFileSync(`${t.file}.bak`, "utf8")).toContain("[mngr31_0001363_1]");
    } finally {
      stopWatching();
      await server.stop(0);
    }
  });
});
