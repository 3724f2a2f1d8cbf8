import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AmiMessage } from "../../src/ami/message.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { playAsterisk } from "../helpers/fake-asterisk.ts";
import { FakeAmi } from "../helpers/fake-ami.ts";
import { connectFastAgi } from "../helpers/fastagi-client.ts";
import { ADMIN, ENV, SMART_CONFIG } from "../helpers/http-app.ts";
import { IVR_FIXTURES } from "../helpers/ivr-replay.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { indexOf } from "../helpers/tracking.ts";
import { loadTranscript } from "../helpers/transcript.ts";
import { waitFor } from "../helpers/wait.ts";

const PATH = process.env.PATH ?? "/usr/bin:/bin";
const fake = new FakeAmi({ secret: "e2e-ami-secret" });
const dir = mkdtempSync(join(tmpdir(), "ivr-e2e-ami-"));
const config = join(dir, "ivr.yaml");
const db = join(dir, "ivr.sqlite");
let binary: string;
let serve: Bun.Subprocess<"ignore", "ignore", "pipe">;
let http = "";
let fastagiPort = 0;
const logLines: string[] = [];

/**
 * The IVR call of fixtures/ivr/fastagi-ext1001-answered.txt as AMI saw it: the second call
 * of the ivr-queue-and-dial recording with that call's identities (its ;2 half ran the IVR).
 */
function amiSideOfTheIvrCall(): AmiMessage[] {
  const events = amiEvents("ivr-queue-and-dial");
  const first = indexOf(events, "Newchannel", { Uniqueid: "1795264200.50" });
  const renames: Array<[string, string]> = [
    ["1795264200.50", "1795264167.34"],
    ["1795264200.51", "1795264167.35"],
    ["1795264200.52", "1795264167.36"],
    ["1795264200.53", "1795264167.37"],
    ["probe-fast-00000019", "probe-fast-00000011"],
    ["0298765432", "0212345678"],
    ["0812223333", "+66812345678"],
    ["Branch Caller", "Test Caller"],
  ];
  return events
    .slice(first)
    .filter((m) => [m.get("Uniqueid"), m.get("DestUniqueid"), m.get("Linkedid")].some((id) => id?.startsWith("1795264200.")))
    .map((m) => new AmiMessage(m.fields.map((value) => renames.reduce((v, [from, to]) => v.split(from).join(to), value))));
}

beforeAll(async () => {
  binary = await compiledBinary();
  fake.start();
  writeFileSync(
    config,
    `${readFileSync(SMART_CONFIG, "utf8")}
ami:
  host: 127.0.0.1
  port: ${fake.port}
  username: ivr
  secret: \${AMI_SECRET}
  trunk_pattern: ^Local/\\d+@probe-|^Local/10001@queue-in-
  ping_interval_seconds: 1
`,
  );
  serve = Bun.spawn([binary, "serve", "--config", config, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    env: { PATH, ...ENV, AMI_SECRET: "e2e-ami-secret" },
    stdout: "ignore",
    stderr: "pipe",
  });
  const log = LineReader.fromStream(serve.stderr);
  let loggedIn = false;
  while (!http || !fastagiPort || !loggedIn) {
    const line = await log.next(10_000, "ivr serve to listen and log in to AMI");
    if (line === undefined) throw new Error(`ivr serve exited:\n${logLines.join("\n")}`);
    logLines.push(line);
    http ||= /HTTP API listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1] ? `http://127.0.0.1:${/:(\d+)$/.exec(line)![1]}` : "";
    fastagiPort ||= Number(/FastAGI listening on 127\.0\.0\.1:(\d+)/.exec(line)?.[1] ?? 0);
    loggedIn ||= line.includes("AMI: logged in to ivr@127.0.0.1");
  }
  void (async () => {
    for (;;) {
      const line = await log.next(600_000, "more log").catch(() => undefined);
      if (line === undefined) return;
      logLines.push(line);
    }
  })();
});

afterAll(async () => {
  serve?.kill("SIGTERM");
  await serve?.exited;
  fake.stop();
});

const get = async (path: string) => (await fetch(`${http}${path}`, { headers: { Authorization: `Bearer ${ADMIN}` } })).json() as Promise<Record<string, any>>;

/** Asks again until the answer satisfies `ok` (for things ivr serve does in its own time). */
async function eventually<T>(ask: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ask();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await Bun.sleep(20);
  }
}

describe("ivr serve with an ami: section, the compiled binary against a fake Asterisk", () => {
  test("an IVR call also seen on AMI is one call; live while it lasts, in the history after", async () => {
    const ami = amiSideOfTheIvrCall();
    const connected = indexOf(ami, "BridgeEnter", { Uniqueid: "1795264167.35" }) + 1;
    fake.play(ami.slice(0, connected));
    const active = await eventually(() => get("/api/calls/active"), (a) => a.calls?.[0]?.state === "answered", "the call in /api/calls/active");
    expect(active.calls[0]).toMatchObject({ id: "1795264167.34", state: "answered", direction: "inbound", external_number: "+66812345678", answered_extension: "1001", answered_user: "Olga Sidorova" });

    // The IVR's side of the same call, over FastAGI: its record is written when the session ends.
    await playAsterisk(loadTranscript(join(IVR_FIXTURES, "fastagi-ext1001-answered.txt")), await connectFastAgi(fastagiPort));
    const before = (await eventually(() => get("/api/calls"), (r) => r.calls.length > 0, "the IVR's record")).calls;
    expect(before).toMatchObject([{ source: "ivr", tracked: false, digits: "1001" }]);

    fake.play(ami.slice(connected)); // the hangups: AMI records the call, into the IVR's row
    const calls = (await eventually(() => get("/api/calls"), (r) => r.calls[0]?.tracked === true, "the AMI record merged")).calls as Array<Record<string, any>>;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      source: "ivr",
      tracked: true,
      direction: "inbound",
      digits: "1001",
      route_kind: "extension",
      status: "answered",
      answered_extension: "1001",
      answered_user: "Olga Sidorova",
      line: "Local/0212345678@probe-fast",
      linkedid: "1795264167.34",
      gap: false,
    });
    const detail = await get(`/api/calls/${calls[0]!.id}`);
    expect(detail.legs.map((l: Record<string, unknown>) => [l.role, l.endpoint])).toEqual([
      ["origin", "Local/0212345678@probe-fast"],
      ["dialed", "Local/1001@internal"],
    ]);
    expect(detail.timeline.at(-1)).toMatchObject({ event: "call.ended", status: "answered" });
    expect((await get("/api/calls/active")).calls).toEqual([]);
  });

  test("a recorded queue call replayed on AMI alone is recorded, and /health and /metrics tell the AMI state", async () => {
    fake.play(amiEvents("queue-call"));
    const { calls } = await eventually(() => get("/api/calls"), (r) => r.calls.length >= 2, "the queue call recorded");
    expect(calls[0]).toMatchObject({ source: "ami", uniqueid: "ami-queue-a", queue: "10001", answered_extension: "100", status: "answered" });
    const health = (await (await fetch(`${http}/health`)).json()) as { ami: Record<string, unknown> };
    expect(health.ami).toMatchObject({ state: "connected", reconnects: 0, gaps: 0, active_calls: 0, fully_booted: true });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toContain('ivr_calls_tracked_total{direction="inbound",status="answered"} 2');
    expect(metrics).toContain("ivr_ami_connected 1");
  });

  test("Asterisk restarts: ivr serve reconnects by itself and resyncs", async () => {
    fake.drop(true);
    await Bun.sleep(50);
    fake.comeBack();
    await waitFor(() => fake.loggedIn === 1 && fake.logins === 2, "logged in again", 15_000);
    const health = await eventually(
      async () => (await (await fetch(`${http}/health`)).json()) as Record<string, any>,
      (h) => h.ami.state === "connected" && h.ami.reconnects === 1 && h.ami.last_resync?.reason === "reconnected",
      "reconnected and resynced",
    );
    expect(health.ami).toMatchObject({ state: "connected", reconnects: 1, gaps: 1 });
    expect(logLines.join("\n")).not.toContain("e2e-ami-secret");
  });

  test("ivr check describes the ami: section; ivr ami --manager-conf prints the user's section", async () => {
    const check = Bun.spawn([binary, "check", "--config", config], { stdout: "pipe", stderr: "pipe", env: { PATH } });
    const out = await new Response(check.stdout).text();
    expect(await check.exited).toBe(0);
    expect(out).toContain(`AMI: ivr serve connects to 127.0.0.1:${fake.port} as "ivr"; trunks: /^Local/\\d+@probe-|^Local/10001@queue-in-/`);
    expect(out).toContain("note: ${AMI_SECRET} is not set here: ivr serve needs it in its environment");
    const conf = Bun.spawn([binary, "ami", "--manager-conf", "--config", config], { stdout: "pipe", stderr: "pipe", env: { PATH } });
    const stanza = await new Response(conf.stdout).text();
    expect(await conf.exited).toBe(0);
    expect(stanza).toContain("[ivr]\n");
    expect(stanza).toContain("\nread = call,agent,system\n");
    expect(stanza).toContain("\nwrite = reporting,originate,call\n");
    expect(stanza).toContain("; The value of ami.secret in ivr's config (here taken from $AMI_SECRET):");
  });

  test("SIGTERM: logs off from AMI and exits cleanly", async () => {
    serve.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(fake.actions.at(-1)?.get("Action")).toBe("Logoff");
  });
});
