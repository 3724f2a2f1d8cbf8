import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { FakeAmi, freshen } from "../helpers/fake-ami.ts";
import { FakeBitrix24 } from "../helpers/fake-bitrix24.ts";
import { FakeRetailCrm } from "../helpers/fake-retailcrm.ts";
import { ADMIN, ENV, macroRequest, SMART_CONFIG } from "../helpers/http-app.ts";
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

/** The CRMs: the queue's member 100 is a Bitrix24 user; product.md's customer is in RetailCRM with Olga (152) as manager. */
const portal = new FakeBitrix24();
portal.users = [{ ID: "7", NAME: "Agent", LAST_NAME: "100", UF_PHONE_INNER: "100" }];
const shop = new FakeRetailCrm();
shop.managers = [{ id: 7, firstName: "Olga", lastName: "Sidorova", code: "152" }];
shop.customers = [{ id: 3021, firstName: "Алексей", lastName: "Клиентов", phones: ["8 (029) 123-45-67"], managerId: 7 }];

/** ivr serve, the compiled binary, until it has logged in to the fake Asterisk; its HTTP address. */
async function serve() {
  const proc = Bun.spawn([binary, "serve", "--config", config, "--db", db, "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    env: { PATH, ...ENV, AMI_SECRET: "e2e-ami-secret", HOOK_SECRET: TEST_SECRET, BITRIX24_WEBHOOK: portal.webhookUrl, RETAILCRM_KEY: shop.apiKey },
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
  portal.start();
  shop.start();
  const smart = readFileSync(SMART_CONFIG, "utf8").replace("rules: [last_call, first_call]", "rules: [crm, last_call, first_call]\n      crm: [retailcrm, bitrix24]");
  writeFileSync(
    config,
    `${smart}
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
  bitrix24:
    webhook_url: \${BITRIX24_WEBHOOK}
  retailcrm:
    url: ${shop.url}
    api_key: \${RETAILCRM_KEY}
`,
  );
  server = await serve();
});

afterAll(async () => {
  server?.proc.kill("SIGKILL");
  await server?.proc.exited;
  fake.stop();
  receiver.stop();
  portal.stop();
  shop.stop();
});

const api = async (path: string, init: RequestInit = {}) => (await fetch(`${server.http}${path}`, { ...init, headers: { Authorization: `Bearer ${ADMIN}` } })).json() as Promise<Record<string, any>>;

const sequenceOf = (hooks: WebhookReceiver["received"], call: string) => hooks.filter((h) => h.json.data.call_id === call).map((h) => `${h.json.data.sequence} ${h.json.type}`);

describe("ivr serve's integrations (the compiled binary)", () => {
  test("a replayed AMI call: the receiver gets signed events numbered in order; Bitrix24 one register and one finish; RetailCRM one upload", async () => {
    fake.play(amiEvents("queue-call"));
    await waitFor(() => receiver.received.some((h) => h.json.type === "call.ended"), "call.ended at the receiver", 15_000);
    await waitFor(() => portal.succeeded("telephony.externalcall.finish").length === 1 && shop.uploaded.length === 1, "the CRMs' ends", 15_000);
    expect(portal.succeeded("telephony.externalcall.register")).toEqual([expect.objectContaining({ USER_ID: 7, PHONE_NUMBER: "+66800000099", TYPE: 2, EXTERNAL_CALL_ID: "ami-queue-a" })]);
    expect(portal.succeeded("telephony.externalcall.finish")).toEqual([expect.objectContaining({ USER_ID: 7, STATUS_CODE: "200" })]);
    expect(portal.calls[0]!.shownTo).toEqual(["7"]);
    expect(shop.uploaded).toEqual([expect.objectContaining({ externalId: "ami-queue-a", type: "in", phone: "+66800000099", code: "100", result: "answered" })]);
    expect(receiver.received.every((h) => h.verified)).toBe(true);
    expect(sequenceOf(receiver.received, "ami-queue-a")).toEqual(["1 call.started", "2 call.ringing", "3 call.ringing", "4 call.answered", "5 call.ended"]);
    // A delivery's outcome is written a moment after the receiver has it (outcomes are written together).
    let health: Record<string, any> = {};
    await waitFor(async () => {
      health = (await (await fetch(`${server.http}/health`)).json()) as Record<string, any>;
      return health.outbox?.pending === 0;
    }, "no delivery pending in /health", 15_000);
    expect(health.outbox).toMatchObject({ pending: 0, failed: 0, targets: { "webhook:crm": { delivered: 5, failed: 0 }, bitrix24: { failed: 0 }, retailcrm: { failed: 0 } } });
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    expect(metrics).toContain('ivr_outbox_delivered_total{target="webhook:crm"} 5');
  });

  test("Smart Redirect's crm rule: RetailCRM's responsible manager and customer name, inside the SLA", async () => {
    const response = await fetch(`${server.http}/api/callevent/getcustomerdata`, macroRequest("80291234567"));
    expect(await response.json()).toEqual({ Name: "Клиентов Алексей", DialPlan: "mngr37_0001363_1" });
    // The decision log says which CRM answered.
    await waitFor(() => existsSync(join(dir, "smart-decisions.jsonl")) && readFileSync(join(dir, "smart-decisions.jsonl"), "utf8").includes("retailcrm"), "the decision logged");
    const logged = JSON.parse(readFileSync(join(dir, "smart-decisions.jsonl"), "utf8").trim().split("\n").at(-1)!);
    expect(logged).toMatchObject({ rule: "crm", outcome: "routed", reason: "crm: retailcrm's responsible manager, extension 152 of Olga Sidorova" });
    expect(logged.steps).toContainEqual({ rule: "name", result: "name from retailcrm: Клиентов Алексей" });
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
    // The CRMs' deliveries of it finish too: nothing stays pending.
    let after = await api("/api/outbox?state=pending");
    for (let i = 0; i < 400 && after.deliveries.length; i++) {
      await Bun.sleep(25);
      after = await api("/api/outbox?state=pending");
    }
    expect(after.deliveries).toEqual([]);
  });
});
