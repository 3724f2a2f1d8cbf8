import { Database } from "bun:sqlite";
import { afterEach, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigStore } from "../../src/config/store.ts";
import { type RunningServer, startServer } from "../../src/server/start.ts";
import { compiledBinary, spawnAgi } from "../helpers/binary.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi, envText, withScript } from "../helpers/fastagi-client.ts";
import { ENV, macroRequest, SMART_CONFIG } from "../helpers/http-app.ts";
import { IVR_CONFIG, IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { loadTranscript, type Transcript } from "../helpers/transcript.ts";
import { waitFor } from "../helpers/wait.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.stop(0);
  running = undefined;
});

/** ivr serve's parts, started as `ivr serve` starts them, on the Smart fixture config and a fresh history. */
function serve(historyPollMs?: number, configFile = SMART_CONFIG) {
  const dir = mkdtempSync(join(tmpdir(), "ivr-serve-history-"));
  const config = join(dir, "ivr.yaml");
  copyFileSync(configFile, config);
  const { log, text } = captureLog();
  const dbPath = join(dir, "ivr.sqlite");
  const server = startServer({
    store: ConfigStore.open(config, log),
    dbPath,
    fastagi: { hostname: "127.0.0.1", port: 0 },
    http: { hostname: "127.0.0.1", port: 0 },
    limits: {},
    log,
    env: ENV,
    historyPollMs,
  });
  running = server;
  const getcustomerdata = async (phone: string, line: string) =>
    (await (await fetch(`http://127.0.0.1:${server.http.port}/api/callevent/getcustomerdata`, macroRequest(phone, line))).json()) as { Name: string | null; DialPlan: string | null };
  const rows = (sql: string) => {
    const db = new Database(dbPath, { readonly: true });
    try {
      return db.query(sql).all() as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  };
  return { server, dir, config, dbPath, log: text, getcustomerdata, rows };
}

const SMART_FIXTURES = join(import.meta.dir, "..", "fixtures", "smart-agi");

/**
 * A first-time caller (80441112233) on the Smart DID 0298765432: the IVR's Smart pre-route
 * finds no manager (no_match, cached), the menu, queue 10002, and extension 150 (Ivan's
 * phone 31) answers: MEMBERINTERFACE PJSIP/150 (setinterfacevar=yes).
 */
function firstCallAnsweredBy150(): Transcript {
  const base = loadTranscript(join(SMART_FIXTURES, "stdin-smart-unknown.txt"));
  const steps = [...base.steps];
  const member = steps.findIndex((s) => s.kind === "agi" && s.line === "GET VARIABLE MEMBERINTERFACE");
  steps[member + 1] = { kind: "asterisk", line: "200 result=1 (PJSIP/150)" };
  return { ...base, steps };
}

describe("a caller who calls back within the Smart cache's TTL goes to the manager who answered them", () => {
  test("ivr serve's own IVR call: its record drops the no_match its pre-route cached", async () => {
    const t = serve(3_600_000); // no polling: only the server's own write may drop the entry
    await playAsterisk(withScript(firstCallAnsweredBy150(), "ivr"), await connectFastAgi(t.server.fastagi.port));
    await waitFor(() => t.rows("SELECT id FROM calls").length === 1, "the call in the history");
    expect(t.rows("SELECT outcome, cached FROM smart_decisions")).toEqual([{ outcome: "no_match", cached: 0 }]);
    expect(await t.getcustomerdata("80441112233", "0298765432")).toEqual({ Name: "Branch Caller", DialPlan: "mngr31_0298765432_1" });
  });

  test("a call recorded by a per-call process: ivr serve notices the new row and drops the cached answer", async () => {
    const t = serve(50);
    expect(await t.getcustomerdata("80441112233", "0298765432")).toEqual({ Name: null, DialPlan: null }); // cached for 60 s
    const agi = spawnAgi(binary, [], { ...ENV, IVR_CONFIG: t.config, IVR_CACHE_DIR: join(t.dir, "cache"), IVR_DB: t.dbPath });
    await playAsterisk(firstCallAnsweredBy150(), agi);
    expect(await agi.proc.exited).toBe(0);
    // The server polls for new rows (here every 50 ms): ask until the answer changes.
    let answer = await t.getcustomerdata("80441112233", "0298765432");
    for (const deadline = Date.now() + 10_000; !answer.DialPlan && Date.now() < deadline; await Bun.sleep(50)) {
      answer = await t.getcustomerdata("80441112233", "0298765432");
    }
    expect(answer).toEqual({ Name: "Branch Caller", DialPlan: "mngr31_0298765432_1" });
  });
});

describe("ivr serve stopping while a caller is in a queue", () => {
  test("the call is recorded as interrupted, with its route and times, and the log says so", async () => {
    const t = serve(undefined, IVR_CONFIG);
    const transcript = withScript(loadTranscript(join(IVR_FIXTURES, "fastagi-queue-at-once.txt")), "ivr");
    const client = await connectFastAgi(t.server.fastagi.port);
    client.write(envText(transcript.env));
    // Play Asterisk's side up to EXEC Queue, which then runs (the caller waits in the queue).
    for (const step of transcript.steps) {
      if (step.kind === "asterisk") client.write(`${step.line}\n`);
      else if (step.kind === "agi") {
        expect(await client.lines.next()).toBe(step.line);
        if (step.line.startsWith("EXEC Queue")) break;
      }
    }
    await t.server.stop(100);
    running = undefined;
    expect(await client.lines.closed()).toEqual([]);
    const [row] = t.rows("SELECT status, route_kind, destination, digits, started_at, ended_at, detail FROM calls");
    expect(row).toMatchObject({ status: "interrupted", route_kind: "queue", destination: "10009", digits: "9" });
    expect(row!.detail).toMatch(/^ivr serve shut down \d+ s into Queue 10009; the call went on in the dialplan$/);
    expect(Number(row!.ended_at)).toBeGreaterThanOrEqual(Number(row!.started_at));
    expect(t.log()).toContain("call interrupted: ivr serve shut down");
    expect(t.log()).toContain("Call finished: interrupted, queue 10009");
  });
});
