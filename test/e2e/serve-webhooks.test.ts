import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { FakeAmi, freshen } from "../helpers/fake-ami.ts";
import { ADMIN, ENV, SMART_CONFIG } from "../helpers/http-app.ts";
import { LineReader } from "../helpers/line-reader.ts";
import { waitFor } from "../helpers/wait.ts";
import { TEST_SECRET, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const PATH = process.env.PATH ?? "/usr/bin:/bin";
const fake = new FakeAmi({ secret: "e2e-ami-secret" });
const dir = mkdtempSync(join(tmpdir(), "ivr-e2e-hooks-"));
const config = join(dir, "ivr.yaml");
const db = join(dir, "ivr.sqlite");
let receiver = new WebhookReceiver(TEST_SECRET);
let binary: string;

/** ivr serve, the compiled binary, until it has logged in to the fake Asterisk; its HTTP address. */
async function serve() {
  const proc = Bun.spawn([binary, "serve", "--config", config, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    env: { PATH, ...ENV, AMI_SECRET: "e2e-ami-secret", HOOK_SECRET: TEST_SECRET },
    stdout: "ignore",
    stderr: "pipe",
  });
  const log = LineReader.fromStream(proc.stderr);
  const lines: string[] = [];
  let http = "";
  let loggedIn = false;
  const before = fake.logins;
  while (!http || !loggedIn) {
    const line = await log.next(15_000, "ivr serve to listen and log in to AMI");
    if (line === undefined) throw new Error(`ivr serve exited:\n${lines.join("\n")}`);
    lines.push(line);
    http ||= /HTTP API listening on 127\.0\.0\.1:(\d+)/.test(line) ? `http://127.0.0.1:${/:(\d+)$/.exec(line)![1]}` : "";
    loggedIn ||= line.includes("AMI: logged in to ivr@127.0.0.1");
  }
  await waitFor(() => fake.logins > before && fake.loggedIn > 0, "the AMI login");
  void (async () => {
    for (;;) {
      const line = await log.next(600_000, "more log").catch(() => undefined);
      if (line === undefined) return;
      lines.push(line);
    }
  })();
  return { proc, http, lines };
}

let server: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  binary = await compiledBinary();
  fake.start();
  receiver.start();
  writeFileSync(
    config,
    `${readFileSync(SMART_CONFIG, "utf8")}
ami:
  host: 127.0.0.1
  port: ${fake.port}
  username: ivr
  secret: \${AMI_SECRET}
  trunk_pattern: ^Local/\\d+@probe-|^Local/10001@queue-in-
integrations:
  webhooks:
    - name: crm
      url: ${receiver.url}
      secret: \${HOOK_SECRET}
      events: [call.started, call.ringing, call.answered, call.ended]
      timeout_seconds: 60
`,
  );
  server = await serve();
});

afterAll(async () => {
  server?.proc.kill("SIGKILL");
  await server?.proc.exited;
  fake.stop();
  receiver.stop();
});

const api = async (path: string, init: RequestInit = {}) => (await fetch(`${server.http}${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN}` } })).json() as Promise<Record<string, any>>;

const sequenceOf = (hooks: WebhookReceiver["received"], call: string) => hooks.filter((h) => h.json.data.call_id === call).map((h) => `${h.json.data.sequence} ${h.json.type}`);

describe("ivr serve delivers webhooks (the compiled binary)", () => {
  test("a replayed AMI call reaches the receiver as signed events, numbered in order", async () => {
    fake.play(amiEvents("queue-call"));
    await waitFor(() => receiver.received.some((h) => h.json.type === "call.ended"), "call.ended at the receiver", 15_000);
    expect(receiver.received.every((h) => h.verified)).toBe(true);
    expect(sequenceOf(receiver.received, "ami-queue-a")).toEqual(["1 call.started", "2 call.ringing", "3 call.ringing", "4 call.answered", "5 call.ended"]);
    const health = (await (await fetch(`${server.http}/health`)).json()) as Record<string, any>;
    expect(health.outbox).toMatchObject({ pending: 0, failed: 0, targets: { "webhook:crm": { delivered: 5, failed: 0 } } });
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    expect(metrics).toContain('ivr_outbox_delivered_total{target="webhook:crm"} 5');
  });

  test("kill -9 while deliveries are in flight loses nothing: after the restart they are delivered, each event under its own id", async () => {
    receiver.delayMs = 120_000; // a receiver that hangs: every delivery is in flight when the daemon dies
    const before = receiver.arrived;
    fake.play(freshen(amiEvents("queue-call"), 2));
    await waitFor(() => receiver.arrived > before, "a delivery in flight", 15_000);
    // The call is recorded (its end stored with it); its deliveries are all still pending.
    const recorded = async () => ((await api("/api/calls")).calls as Array<{ uniqueid: string }>).some((c) => c.uniqueid === "ami-queue-a-r2");
    for (let i = 0; i < 200 && !(await recorded()); i++) await Bun.sleep(25);
    const pending = await api("/api/outbox?state=pending&target=webhook:crm");
    expect(pending.deliveries.map((d: { event: { type: string } }) => d.event.type).reverse()).toEqual(["call.started", "call.ringing", "call.ringing", "call.answered", "call.ended"]);
    server.proc.kill("SIGKILL");
    await server.proc.exited;

    // The receiver comes back (answering at once), the daemon restarts on the same database.
    const port = receiver.port;
    receiver.stop();
    receiver = new WebhookReceiver(TEST_SECRET).start(port);
    server = await serve();
    const call = "ami-queue-a-r2";
    await waitFor(() => receiver.received.some((h) => h.json.data.call_id === call && h.json.type === "call.ended"), "the second call's end after the restart", 20_000);
    const mine = receiver.unique().filter((h) => h.json.data.call_id === call);
    expect(mine.every((h) => h.verified)).toBe(true);
    expect(mine.map((h) => `${h.json.data.sequence} ${h.json.type}`)).toEqual(["1 call.started", "2 call.ringing", "3 call.ringing", "4 call.answered", "5 call.ended"]);
    const after = await api("/api/outbox?state=pending");
    expect(after.deliveries).toEqual([]);
  });
});
