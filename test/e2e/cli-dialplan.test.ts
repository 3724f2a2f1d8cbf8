import { beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory } from "../../src/history/db.ts";
import { insertCall } from "../../src/history/record.ts";
import { checkExtensionsConf } from "../../src/smart/dialplan-check.ts";
import { MARKER } from "../../src/smart/markers.ts";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { callRow } from "../helpers/history.ts";
import { SMART_CONFIG } from "../helpers/http-app.ts";
import { loadTranscript } from "../helpers/transcript.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

async function ivr(args: string[]) {
  const proc = Bun.spawn([binary, ...args], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("ivr dialplan", () => {
  test("prints the block between markers; it is sound extensions.conf", async () => {
    const { stdout, stderr, code } = await ivr(["dialplan", "--config", SMART_CONFIG]);
    expect(code).toBe(0);
    expect(stdout.startsWith(`${MARKER}\n`)).toBe(true);
    expect(stdout.endsWith(`${MARKER}\n`)).toBe(true);
    expect(stdout).toContain("[mngr31_0001363_1]");
    expect(stdout).toContain("[mngr38_0298765432_1]");
    expect(checkExtensionsConf(stdout)).toEqual([]);
    expect(stderr).toContain("contexts for 2 lines");
  });

  test("--write puts it in the file, keeps a backup, a second run changes nothing; --check follows", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-cli-dialplan-"));
    const file = join(dir, "extensions.conf");
    writeFileSync(file, "[general]\r\nstatic=yes\r\n");
    expect((await ivr(["dialplan", "--config", SMART_CONFIG, "--check", "--write", file])).code).toBe(1);
    const first = await ivr(["dialplan", "--config", SMART_CONFIG, "--write", file]);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${file}: Smart Redirection block added at the end`);
    expect(first.stdout).toContain('asterisk -rx "dialplan reload"');
    const written = readFileSync(file, "utf8");
    expect(written.startsWith("[general]\r\nstatic=yes\r\n" + MARKER + "\r\n")).toBe(true);
    expect(readFileSync(`${file}.bak`, "utf8")).toBe("[general]\r\nstatic=yes\r\n");
    const second = await ivr(["dialplan", "--config", SMART_CONFIG, "--write", file]);
    expect(second.stdout).toContain(`${file}: unchanged`);
    expect(readFileSync(file, "utf8")).toBe(written);
    expect(await ivr(["dialplan", "--config", SMART_CONFIG, "--check", "--write", file])).toMatchObject({ code: 0, stdout: expect.stringContaining("up to date") });
  });

  test("--hooks prints the FastAGI hook and the CURL Gosub, both sound", async () => {
    const { stdout, code } = await ivr(["dialplan", "--config", SMART_CONFIG, "--hooks", "--enterprise", "0367"]);
    expect(code).toBe(0);
    expect(stdout).toContain("AGI(agi://127.0.0.1:4573/smart?enterprise=0367)");
    expect(stdout).toContain("[ivr-smart-lookup]");
    expect(checkExtensionsConf(`[from-out-office]\n${stdout}`)).toEqual([]);
  });

  test("errors stop it: an unknown enterprise, a file with one marker", async () => {
    expect(await ivr(["dialplan", "--config", SMART_CONFIG, "--enterprise", "9"])).toMatchObject({ code: 1, stderr: expect.stringContaining('no enterprise "9"') });
    const file = join(mkdtempSync(join(tmpdir(), "ivr-cli-dialplan-")), "extensions.conf");
    writeFileSync(file, `${MARKER}\n`);
    expect(await ivr(["dialplan", "--config", SMART_CONFIG, "--write", file])).toMatchObject({ code: 1, stderr: expect.stringContaining("expected two Smart Redirection marker lines") });
  });
});

test("per call: a DID with smart: sends a returning caller to their manager, and records the decision", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ivr-percall-smart-"));
  const db = join(dir, "ivr.sqlite");
  const history = openHistory(db);
  insertCall(history, callRow({ externalNumber: "+375291234567", status: "answered", answeredExtension: "150", callerName: "Alexei Client" }));
  history.close();
  const config = join(dir, "ivr.yaml");
  copyFileSync(SMART_CONFIG, config);
  const agi = spawnAgi(binary, [], { IVR_CONFIG: config, IVR_DB: db, IVR_CACHE_DIR: join(dir, "cache") });
  await playAsterisk(loadTranscript(join(import.meta.dir, "..", "fixtures", "smart-agi", "stdin-smart-known.txt")), agi);
  expect(await agi.proc.exited).toBe(0);
  expect(await agi.stderr()).toContain("Call finished: smart_redirect, Smart Redirect to mngr31_0298765432_1");
  const sqlite = new Database(db, { readonly: true });
  expect(sqlite.query("SELECT via, outcome, dial_plan FROM smart_decisions").all()).toEqual([{ via: "agi", outcome: "routed", dial_plan: "mngr31_0298765432_1" }]);
  expect(sqlite.query("SELECT status, route_kind, destination FROM calls ORDER BY id DESC LIMIT 1").get()).toEqual({ status: "smart_redirect", route_kind: "smart", destination: "mngr31_0298765432_1" });
  sqlite.close();
});
