import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { connectFastAgi } from "../helpers/fastagi-client.ts";
import { ADMIN, ENV, macroRequest, SMART_CONFIG, TOKEN } from "../helpers/http-app.ts";
import { IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { loadTranscript } from "../helpers/transcript.ts";

let binary: string;
let serve: Bun.Subprocess<"ignore", "pipe", "pipe">;
let http = "";
let fastagiPort = 0;
const db = join(mkdtempSync(join(tmpdir(), "ivr-e2e-http-")), "ivr.sqlite");

beforeAll(async () => {
  binary = await compiledBinary();
  serve = Bun.spawn([binary, "serve", "--config", SMART_CONFIG, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...ENV },
    stdout: "pipe",
    stderr: "pipe",
  });
  const log = LineReader.fromStream(serve.stderr);
  while (!http || !fastagiPort) {
    const line = await log.next(10_000, "ivr serve to listen");
    if (line === undefined) throw new Error("ivr serve exited");
    const httpPort = /HTTP API listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (httpPort) http = `http://127.0.0.1:${httpPort}`;
    const agiPort = /FastAGI listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1];
    if (agiPort) fastagiPort = Number(agiPort);
  }
});

afterAll(async () => {
  serve?.kill("SIGTERM");
  await serve?.exited;
});

const getcustomerdata = (phone: string, token: string = TOKEN) => fetch(`${http}/api/callevent/getcustomerdata`, macroRequest(phone, "0001363", token));
const adminGet = async (path: string) => (await fetch(`${http}${path}`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json() as Promise<Record<string, unknown>>;

describe("ivr serve end to end: an IVR call recorded, then Smart Redirect routes the caller back", () => {
  test("a new caller gets nulls", async () => {
    const res = await getcustomerdata("+66812345678");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"Name":null,"DialPlan":null}');
  });

  test("after their call was answered by extension 1001, the caller is routed to its owner's context", async () => {
    await playAsterisk(loadTranscript(join(IVR_FIXTURES, "fastagi-ext1001-answered.txt")), await connectFastAgi(fastagiPort));
    let calls: Array<Record<string, unknown>> = [];
    const deadline = Date.now() + 5000;
    while (calls.length === 0 && Date.now() < deadline) {
      calls = (await adminGet("/api/calls")).calls as typeof calls;
      if (!calls.length) await Bun.sleep(20);
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ external_number: "+66812345678", status: "answered", answered_extension: "1001", destination: "1001" });

    await fetch(`${http}/api/smart/cache/clear`, { method: "POST", headers: { Authorization: `Bearer ${ADMIN}` } });
    const res = await getcustomerdata("+66 81 234 5678"); // another spelling of the same number
    expect(await res.text()).toBe('{"Name":"Test Caller","DialPlan":"mngr38_0001363_1"}');
  });

  test("a wrong token over the real socket is a 401; health and metrics answer", async () => {
    expect((await getcustomerdata("+66812345678", "wrong-token-wrong-token")).status).toBe(401);
    expect(await (await fetch(`${http}/health`)).json()).toMatchObject({ status: "ok", database: { path: db, status: "ok" } });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toContain('ivr_smart_requests_total{outcome="routed"} 1');
    expect(metrics).toContain('ivr_calls_recorded_total{status="answered"} 1');
  });

  test("ivr calls lists the same history", async () => {
    const proc = Bun.spawn([binary, "calls", "--db", db, "--config", SMART_CONFIG, "--json"], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    const lines = (await new Response(proc.stdout).text()).trim().split("\n");
    expect(await proc.exited).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([{ external_number: "+66812345678", answered_extension: "1001" }]);
    const table = Bun.spawn([binary, "calls", "--db", db, "--config", SMART_CONFIG, "--phone", "+66 812-345-678"], { stdout: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    const text = await new Response(table.stdout).text();
    expect(text).toMatch(/^id +started \(UTC\) +caller/);
    expect(text).toContain("extension 1001");

    const none = Bun.spawn([binary, "calls", "--db", `${db}.missing`], { stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
    expect(await none.exited).toBe(1);
    expect(await new Response(none.stderr).text()).toContain(`no call history at ${db}.missing`);
  });
});
