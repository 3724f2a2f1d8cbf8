/**
 * A new administrator's first commands, against the compiled binary: what `ivr serve` says
 * to try next, a test call through it, `ivr calls` and `ivr check` on the same history,
 * and `ivr simulate` saying what it did with --press and --result.
 */
import { Database } from "bun:sqlite";
import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SIMULATED_EFFECTS, SIMULATED_RESULTS } from "../../src/agi/simulated-results.ts";
import { CALL_STATUSES } from "../../src/history/statuses.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { ADMIN, testApp } from "../helpers/http-app.ts";
import { startServeProcess } from "../helpers/serve-process.ts";

const ROOT = join(import.meta.dir, "..", "..");
const SAMPLE = join(ROOT, "config", "ivr.yaml");
const SEED = join(ROOT, "test", "fixtures", "config", "seed-config.yaml");
let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

async function run(command: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const proc = Bun.spawn(command, { cwd: options.cwd ?? ROOT, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...options.env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}
const ivr = (args: string[], options?: { cwd?: string; env?: Record<string, string> }) => run([binary, ...args], options);
const freshDb = () => join(mkdtempSync(join(tmpdir(), "ivr-admin-")), "ivr.sqlite");
/** The log lines without their timestamps. */
const messages = (lines: string[]) => lines.map((line) => line.replace(/^\S+ /, ""));

describe("ivr serve says what to try next (9.16)", () => {
  test("the next steps carry the real addresses; run as printed, the call lands in the history", async () => {
    const db = freshDb();
    const serve = await startServeProcess([binary, "serve", "--config", SAMPLE, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"]);
    const { fastagiPort, httpPort } = serve;
    const steps = messages(serve.seen).slice(messages(serve.seen).indexOf("INFO next steps:"));
    expect(steps).toEqual([
      "INFO next steps:",
      `INFO   a test call through this server: ${binary} simulate --fastagi 127.0.0.1:${fastagiPort} --did 0212345678 --press 1`,
      `INFO   the calls it recorded:           ${binary} calls --db ${db}`,
      `INFO   in extensions.conf:              exten => _X.,1,AGI(agi://127.0.0.1:${fastagiPort}/ivr)`,
      `INFO   health:                          curl http://127.0.0.1:${httpPort}/health`,
    ]);
    const printed = (prefix: string) => steps.find((line) => line.startsWith(prefix))!.split(": ").slice(1).join(": ").trim();

    const call = await run(["sh", "-c", printed("INFO   a test call")]);
    expect(call.code).toBe(0);
    expect(call.stdout).toContain(`through the FastAGI server at 127.0.0.1:${fastagiPort} (its config)`);
    expect(call.stdout).toContain('> STREAM FILE ivr/welcome "0123456789"');
    expect(call.stdout).toContain("> EXEC Queue 10001");
    expect((await fetch(printed("INFO   health").replace("curl ", ""))).status).toBe(200);
    expect((await serve.stop()).code).toBe(0); // writes what is queued

    const calls = await run(["sh", "-c", printed("INFO   the calls it recorded")]);
    expect(calls.stdout).toMatch(/^1 +\S+ \S+ +\+66812345678 +0212345678 +1 +queue 10001 +answered /m);
  });

  test("only at info level: --log-level warn prints no next steps", async () => {
    const port = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    const http = port.port;
    port.stop(true);
    const proc = Bun.spawn([binary, "serve", "--config", SAMPLE, "--db", freshDb(), "--fastagi", "127.0.0.1:0", "--http", `127.0.0.1:${http}`, "--log-level", "warn"], { stdout: "pipe", stderr: "pipe" });
    const stderr = new Response(proc.stderr).text();
    for (let i = 0; ; i++) {
      if ((await fetch(`http://127.0.0.1:${http}/health`).catch(() => undefined))?.status === 200) break;
      if (i > 300) throw new Error("ivr serve did not answer /health");
      await Bun.sleep(50);
    }
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(await stderr).not.toContain("next steps");
  });
});

describe("ivr simulate --fastagi: a test call through a running server", () => {
  test("refuses --config with it, and says when nothing listens", async () => {
    expect(await ivr(["simulate", "--fastagi", "127.0.0.1:4573", "--config", SAMPLE, "--did", "1"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--config and --fastagi exclude each other") });
    const closed = await ivr(["simulate", "--fastagi", "127.0.0.1:1", "--did", "1"]);
    expect(closed.code).toBe(1);
    expect(closed.stderr).toContain("cannot reach the FastAGI server at 127.0.0.1:1");
  });

  test("a server that refuses the call is reported as a refusal, not a conversation", async () => {
    const refusing = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: (socket) => void socket.write("FAILURE\n"), data() {} } });
    try {
      const refused = await ivr(["simulate", "--fastagi", `127.0.0.1:${refusing.port}`, "--did", "1"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`the FastAGI server at 127.0.0.1:${refusing.port} refused the call (FAILURE): Asterisk would set AGISTATUS=FAILURE`);
      expect(refused.stdout).not.toContain("> FAILURE");
    } finally {
      refusing.stop(true);
    }
  });
});

describe("ivr simulate says what it did with --press and --result (9.19)", () => {
  const simulate = (...args: string[]) => ivr(["simulate", "--config", SAMPLE, "--did", "0212345678", ...args]);

  test("a key the prompt does not listen for is reported lost, not ignored silently", async () => {
    const { stdout, code } = await simulate("--press", "*1");
    expect(code).toBe(0);
    expect(stdout).toContain('> STREAM FILE ivr/welcome "0123456789"\n< 200 result=49 endpos=13760\n# key * lost: this prompt listens only for 0123456789\n');
    expect(stdout).toContain("Outcome: answered, queue 10001");
  });

  test("keys the call never used are listed", async () => {
    expect((await simulate("--press", "h12")).stdout).toContain("Keys not used: 12 (the call ended before the IVR asked for them)");
    expect((await simulate("--press", "1")).stdout).not.toContain("Keys not used");
  });

  test.each(SIMULATED_RESULTS.map((result) => [result]))("--result %s: on a queue and on an extension, recorded as the help says", async (result) => {
    const queue = await simulate("--press", "1", "--result", result);
    const { queue: onQueue, extension: onExtension } = SIMULATED_EFFECTS[result];
    expect(queue.stdout).toContain(`--result ${result} on queue 10001: ${onQueue.what} (${onQueue.variables}), recorded as ${onQueue.status}`);
    expect(queue.stdout).toContain(`Outcome: ${onQueue.status}, queue 10001`);
    const extension = await simulate("--press", "101#", "--result", result);
    expect(extension.stdout).toContain(`--result ${result} on extension PJSIP/101: ${onExtension.what} (${onExtension.variables}), recorded as ${onExtension.status}`);
    expect(extension.stdout).toContain(`Outcome: ${onExtension.status}, extension 101`);
  });

  test("--result busy on a queue is a full queue, and says so", async () => {
    expect((await simulate("--press", "1", "--result", "busy")).stdout).toContain("--result busy on queue 10001: a queue is never busy: the queue is full (QUEUESTATUS=FULL), recorded as unavailable");
  });
});

describe("ivr calls --status takes the statuses the API takes (9.19)", () => {
  test("an unknown status is refused with the list, exit 2, before the history is opened", async () => {
    const { code, stderr, stdout } = await ivr(["calls", "--status", "foo", "--db", "/nonexistent/ivr.sqlite"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain(`ivr calls: --status: unknown status "foo": one of ${CALL_STATUSES.join(", ")}`);
  });

  test("no history file: says which file, why that one, and how to name another", async () => {
    const { code, stderr } = await ivr(["calls"], { cwd: mkdtempSync(join(tmpdir(), "ivr-empty-")) });
    expect(code).toBe(1);
    expect(stderr).toContain("no call history at /var/lib/asterisk/ivr/ivr.sqlite (no config found, so the default): no call recorded there yet; give --config, --db or $IVR_DB");
    expect((await ivr(["calls", "--config", SEED])).stderr).toContain(`(by ${SEED})`);
  });

  test("the API refuses the same value with the same reason", async () => {
    const t = testApp();
    const response = await t.app.request("/api/calls?status=foo", { headers: { Authorization: `Bearer ${ADMIN}` } });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: `unknown status "foo": one of ${CALL_STATUSES.join(", ")}` });
  });

  test("every listed status is accepted by both", async () => {
    const db = freshDb();
    new Database(db).close(); // an empty file: ivr calls opens it read-only
    const t = testApp();
    for (const status of CALL_STATUSES) {
      expect((await t.app.request(`/api/calls?status=${status}`, { headers: { Authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    }
    const serve = await startServeProcess([binary, "serve", "--config", SAMPLE, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"]);
    await serve.stop(); // migrated
    for (const status of CALL_STATUSES) expect(await ivr(["calls", "--db", db, "--status", status])).toMatchObject({ code: 0, stdout: expect.stringContaining("(no calls)") });
  });
});

describe("ivr check says where per-call processes record calls (9.9)", () => {
  test("from database.path or the default; $IVR_DB in the shell is named as such", async () => {
    const sample = await ivr(["check", "--config", SAMPLE]);
    expect(sample.stdout).toContain(`Call history: ${join(ROOT, "data", "ivr.sqlite")} (database.path; kept 365 days)`);
    const seed = await ivr(["check", "--config", SEED]);
    expect(seed.stdout).toContain("Call history: /var/lib/asterisk/ivr/ivr.sqlite (the default; kept 365 days)");
    const env = await ivr(["check", "--config", SAMPLE], { env: { IVR_DB: "/tmp/elsewhere.sqlite" } });
    expect(env.stdout).toContain("Call history: /tmp/elsewhere.sqlite ($IVR_DB; kept 365 days)");
    expect(env.stdout).toContain(`note: $IVR_DB is set in this shell; a per-call process uses it only if Asterisk's environment sets it too, else ${join(ROOT, "data", "ivr.sqlite")} (database.path)`);
  });
});

describe("help texts say what the commands do (9.19)", () => {
  test("ivr --help names every config search path, the Rust IVR's last one included", async () => {
    expect((await ivr(["--help"])).stdout.replace(/\s+/g, " ")).toContain("/usr/local/etc/asterisk/ivr-config.yaml, ./config.yaml, /opt/rust-project/rust-dialplan/config.yaml.");
  });

  test("dialplan: --check goes with --write FILE, not instead of it", async () => {
    const { stdout } = await ivr(["dialplan", "--help"]);
    expect(stdout).toStartWith("Usage: ivr dialplan [--enterprise ID] [--write FILE] [--check] [--hooks] [--config FILE]\n");
    expect(stdout).toContain("--check          write nothing; exit 1 if the file is not up to date: with --write FILE,");
  });

  test("simulate: --config and --fastagi explained, the results on a queue and an extension", async () => {
    const { stdout } = await ivr(["simulate", "--help"]);
    expect(stdout).toContain("--config FILE    the config whose menus answer");
    expect(stdout).toContain("--fastagi HOST:PORT");
    expect(stdout).toMatch(/busy +DIALSTATUS=BUSY \(busy\) +QUEUESTATUS=FULL \(unavailable\)/);
  });
});
