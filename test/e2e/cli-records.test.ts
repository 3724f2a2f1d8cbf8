import { beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory } from "../../src/history/db.ts";
import { insertCall, recordKey } from "../../src/history/record.ts";
import { spoolDirFor, spoolRecord } from "../../src/history/spool.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { callRow } from "../helpers/history.ts";

let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

async function ivr(args: string[]) {
  const proc = Bun.spawn([binary, ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

/** product.md's shape: country only under the enterprise, whose line is 0001363. */
const PRODUCT_SHAPE = `
dids:
  "0001363": { queues: { "1": "10001" } }
  "0212345678": { queues: { "1": "10001" } }
smart:
  enterprises:
    "0367":
      token: \${SMART_TOKEN_0367}
      country: BY
      lines: { "0001363": { fallback: from-external } }
`;

describe("ivr check and the country numbers are normalized with", () => {
  test("warns about the DIDs whose callers cannot be put in E.164, not about the enterprise's lines", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "ivr-check-country-")), "ivr.yaml");
    writeFileSync(config, PRODUCT_SHAPE);
    const { stdout, code } = await ivr(["check", "--config", config]);
    expect(code).toBe(0);
    expect(stdout).toContain("warning: calls on DID 0212345678 and any DID not configured cannot be normalized to E.164 (no country for them)");
    writeFileSync(config, `country: BY\n${PRODUCT_SHAPE}`);
    expect((await ivr(["check", "--config", config])).stdout).not.toContain("cannot be normalized");
  });
});

describe("ivr calls", () => {
  const history = () => {
    const db = join(mkdtempSync(join(tmpdir(), "ivr-calls-")), "ivr.sqlite");
    const open = openHistory(db);
    insertCall(open, callRow({ externalNumber: null, externalNumberRaw: "80291234567", status: "interrupted", destination: "10001", routeKind: "queue" }));
    insertCall(open, callRow({ externalNumber: "+66812345678", externalNumberRaw: "+66812345678", status: "answered" }));
    open.close();
    return db;
  };

  test("--phone finds a number stored without E.164 in the spelling it came in", async () => {
    const { stdout, code } = await ivr(["calls", "--db", history(), "--phone", "80291234567", "--json"]);
    expect(code).toBe(0);
    expect(stdout.trim().split("\n").map((line) => JSON.parse(line).external_number_raw)).toEqual(["80291234567"]);
  });

  test("calls still in the spool are mentioned, not silently missing", async () => {
    const db = history();
    const row = callRow({ uniqueid: "spooled.1" });
    spoolRecord(spoolDirFor(db), { call: { ...row, recordKey: recordKey(row.uniqueid, row.startedAt) }, decisions: [] });
    const { stderr, code } = await ivr(["calls", "--db", db]);
    expect(code).toBe(0);
    expect(stderr).toContain(`1 more calls wait in ${spoolDirFor(db)}`);
  });

  test("--status interrupted is accepted; an unknown status is refused with the list", async () => {
    const db = history();
    const interrupted = await ivr(["calls", "--db", db, "--status", "interrupted", "--json"]);
    expect(interrupted.stdout.trim().split("\n").map((line) => JSON.parse(line).status)).toEqual(["interrupted"]);
    const unknown = await ivr(["calls", "--db", db, "--status", "foo"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--status: unknown status "foo": one of answered, busy, no_answer, unavailable, abandoned, failed, hungup_in_menu, no_selection, smart_redirect, interrupted');
  });
});
