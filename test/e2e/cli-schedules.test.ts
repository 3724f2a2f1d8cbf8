import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory } from "../../src/history/db.ts";
import { historyOverrideStore } from "../../src/schedules/store.ts";
import { checkExtensionsConf } from "../../src/smart/dialplan-check.ts";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { ADMIN, ENV } from "../helpers/http-app.ts";
import { startServeProcess } from "../helpers/serve-process.ts";
import { parseTranscript } from "../helpers/transcript.ts";

const FIXTURES = join(import.meta.dir, "..", "fixtures", "ivr", "schedules");

/** The schedules fixture, plus "always" (open all the time) on the main line and an admin token for the API. */
function installation() {
  const dir = mkdtempSync(join(tmpdir(), "ivr-e2e-schedules-"));
  const config = join(dir, "config.yaml");
  const text = readFileSync(join(FIXTURES, "config.yaml"), "utf8")
    .replace("schedules:\n", 'schedules:\n  always:\n    timezone: Europe/Berlin\n    hours: { mon-sun: ["00:00-24:00"] }\n')
    .replace('  "0212345678":\n    schedule: office', '  "0212345678":\n    schedule: always');
  writeFileSync(config, `${text}\nserver:\n  admin_token: \${IVR_TEST_ADMIN_TOKEN}\n`);
  const db = join(dir, "ivr.sqlite");
  return { config, db, env: { IVR_CONFIG: config, IVR_CACHE_DIR: join(dir, "cache"), IVR_DB: db, ...ENV } };
}

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

async function ivr(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([binary, ...args], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("ivr check --at", () => {
  test("each schedule's state at that moment in its zone, its next change and who uses it", async () => {
    const { config } = installation();
    const { stdout, code } = await ivr(["check", "--config", config, "--at", "2026-12-31T18:05"]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      [
        "Schedules (at 2026-12-31T18:05 in each schedule's zone; overrides are not included):",
        "  always  Europe/Berlin, mon-sun 00:00-24:00",
        "          2026-12-31 18:05 +01:00: open (thu 00:00-24:00); no change within 800 days",
        "          used by DID 0212345678",
        "  office  Europe/Berlin, mon-fri 09:00-18:00",
        "          2026-12-31 18:05 +01:00: closed (outside hours (thu 09:00-18:00)); opens 2027-01-01 09:00 +01:00",
        "          used by DIDs 0223456789, 0298765432",
      ].join("\n"),
    );
  });

  test("on Christmas Day; an instant with Z is that instant", async () => {
    const { config } = installation();
    const { stdout } = await ivr(["check", "--config", config, "--at", "2026-12-25T09:30Z"]);
    expect(stdout).toContain("2026-12-25 10:30 +01:00: closed (holiday 12-25); opens 2026-12-28 09:00 +01:00");
  });

  test("a time that is not one: exit 2 with the reason", async () => {
    const { config } = installation();
    const { stderr, code } = await ivr(["check", "--config", config, "--at", "2026-02-30T10:00"]);
    expect(code).toBe(2);
    expect(stderr).toContain('--at takes a time such as 2026-12-31T18:05 (read in each schedule\'s zone) or 2026-12-31T17:05Z, not "2026-02-30T10:00"');
  });

  test("a DID naming a schedule that does not exist: exit 1 with its position", async () => {
    const { config } = installation();
    writeFileSync(config, readFileSync(config, "utf8").replace("schedule: always", "schedule: allways"));
    const { stderr, code } = await ivr(["check", "--config", config]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/config\.yaml:\d+:15: dids\.0212345678\.schedule: no schedule "allways" under schedules: \(there are: always, office\)/);
  });
});

describe("ivr dialplan --schedules", () => {
  test("a Gosub context per schedule, sound extensions.conf, saying what it cannot express", async () => {
    const { config } = installation();
    const { stdout, code } = await ivr(["dialplan", "--schedules", "--config", config]);
    expect(code).toBe(0);
    expect(stdout).toContain("[ivr-schedule-office]\nexten => s,1,NoOp(schedule office, Europe/Berlin)\n; holiday 12-25: closed\n same => n,GotoIfTime(*,*,25,dec,Europe/Berlin?closed)\n");
    expect(stdout).toContain(" same => n,GotoIfTime(09:00-17:59,mon-fri,*,*,Europe/Berlin?open)\n same => n(closed),Return(closed)\n same => n(open),Return(open)\n");
    expect(stdout).toContain("[ivr-schedule-always]");
    expect(stdout).toContain("; Not expressible here, so NOT in these lines: overrides");
    expect(checkExtensionsConf(stdout)).toEqual([]);
  });

  test("with --write: exit 2, nothing written", async () => {
    const { config } = installation();
    const { stderr, code } = await ivr(["dialplan", "--schedules", "--write", "/tmp/x.conf", "--config", config]);
    expect(code).toBe(2);
    expect(stderr).toContain("--schedules prints the schedules' contexts on their own");
  });
});

describe("ivr simulate --at", () => {
  test("on a holiday: the closed message, then the on-call queue", async () => {
    const { config } = installation();
    const { stdout, code } = await ivr(["simulate", "--config", config, "--did", "0223456789", "--at", "2026-12-25T10:00"]);
    expect(code).toBe(0);
    expect(stdout).toContain("at 2026-12-25 10:00 +01:00 (schedule office, Europe/Berlin)");
    expect(stdout).toContain('> VERBOSE "Closed: schedule office (holiday 12-25)" 1');
    expect(stdout).toContain('> STREAM FILE custom/closed-support ""');
    expect(stdout).toContain("> EXEC Queue 10009");
    expect(stdout).toContain("Outcome: answered, queue 10009");
    expect(stdout).toContain("closed: schedule office, holiday 12-25");
  });

  test("within the hours: the menu", async () => {
    const { config } = installation();
    const { stdout } = await ivr(["simulate", "--config", config, "--did", "0223456789", "--press", "1", "--at", "2026-12-28T11:00"]);
    expect(stdout).not.toContain("Closed:");
    expect(stdout).toContain('> STREAM FILE demo-congrats "0123456789"');
  });

  test("with --fastagi: exit 2 (the server's clock answers)", async () => {
    const { code, stderr } = await ivr(["simulate", "--did", "1", "--fastagi", "127.0.0.1:1", "--at", "2026-12-28T11:00"]);
    expect(code).toBe(2);
    expect(stderr).toContain("--at and --fastagi exclude each other");
  });
});

describe("overrides reach per-call processes and ivr serve's FastAGI IVR, and survive a restart", () => {
  const closedHangup = (reason: string) =>
    parseTranscript(readFileSync(join(FIXTURES, "stdin-closed-hangup.txt"), "utf8").replace("Closed: schedule office (holiday 12-25)", `Closed: schedule always (${reason})`), "closed");
  const openQueue = () => parseTranscript(readFileSync(join(FIXTURES, "stdin-open-queue.txt"), "utf8"), "open");

  test("per call (agi-bin): the override ivr serve stored in the history decides", async () => {
    const setup = installation();
    let agi = spawnAgi(binary, [], setup.env);
    await playAsterisk(openQueue(), agi);
    expect(await agi.stderr()).toContain("Call finished: answered, queue 10001");

    const history = openHistory(setup.db);
    historyOverrideStore(history).put("always", { state: "closed", until: "cleared", setAt: Date.now() - 1000 });
    history.close();
    agi = spawnAgi(binary, [], setup.env);
    await playAsterisk(closedHangup("override: forced closed until cleared"), agi);
    expect(await agi.proc.exited).toBe(0);
    expect(await agi.stderr()).toContain("Call finished: closed, no route");
  });

  let serve: Awaited<ReturnType<typeof startServeProcess>> | undefined;
  afterAll(async () => {
    await serve?.stop();
  });

  test("ivr serve: PUT closes the line for its FastAGI calls at once; after a restart it is still closed; DELETE opens it", async () => {
    const setup = installation();
    const start = () => startServeProcess([binary, "serve", "--config", setup.config, "--db", setup.db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], { env: setup.env });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`http://127.0.0.1:${serve!.httpPort}${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" } });
    const call = () => ivr(["simulate", "--fastagi", `127.0.0.1:${serve!.fastagiPort}`, "--did", "0212345678", "--press", "1"]);

    serve = await start();
    expect((await call()).stdout).toContain("> EXEC Queue 10001");
    const put = await api("/api/schedules/always/override", { method: "PUT", body: JSON.stringify({ state: "closed", until: "cleared" }) });
    expect(put.status).toBe(200);
    const closed = await call();
    expect(closed.stdout).toContain('> VERBOSE "Closed: schedule always (override: forced closed until cleared)" 1');
    expect(closed.stdout).toContain("> HANGUP");

    await serve.stop();
    serve = await start();
    expect(await (await api("/api/schedules/always")).json()).toMatchObject({ open: false, override: { state: "closed", until: "cleared" } });
    expect((await call()).stdout).toContain("Closed: schedule always");
    expect((await api("/api/schedules/always/override", { method: "DELETE" })).status).toBe(200);
    expect((await call()).stdout).toContain("> EXEC Queue 10001");
  });
});
