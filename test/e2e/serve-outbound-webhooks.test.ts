import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AmiMessage } from "../../src/ami/message.ts";
import { WEBHOOK_SCHEMAS, type WebhookEventType } from "../../src/integrations/webhooks/schemas.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { FakeAmi } from "../helpers/fake-ami.ts";
import type { OriginatePlan } from "../helpers/fake-originate.ts";
import { ADMIN, ENV } from "../helpers/http-app.ts";
import { CRM_TOKEN, outboundYaml } from "../helpers/outbound.ts";
import { outboundAgiCall, pressing } from "../helpers/outbound-agi.ts";
import { type ServeProcess, startServeProcess } from "../helpers/serve-process.ts";
import { waitFor } from "../helpers/wait.ts";
import { type ReceivedWebhook, TEST_SECRET, WebhookReceiver } from "../helpers/webhook-receiver.ts";

/**
 * The compiled binary's ivr serve against a fake Asterisk (Asterisk 22's recorded
 * originates), with a webhook subscribed to the outbound events: what a CRM receives of a
 * campaign call and of a click-to-call, signed and in order.
 */
describe("ivr serve delivers the outbound events to a webhook", () => {
  let server: ServeProcess & { http: string };
  let plan: (action: AmiMessage) => OriginatePlan = () => ({ outcome: "answered" });
  const fake = new FakeAmi({ secret: "e2e-outbound-hooks", originate: (action) => plan(action) }).start();
  const receiver = new WebhookReceiver(TEST_SECRET).start();
  const dir = mkdtempSync(join(tmpdir(), "ivr-e2e-outbound-hooks-"));
  const events = ["originate.queued", "originate.dialing", "originate.ringing", "originate.answered", "originate.ended", "campaign.action", "campaign.started", "campaign.done"];

  beforeAll(async () => {
    const binary = await compiledBinary();
    const config = join(dir, "ivr.yaml");
    const hooks = `server:\n  admin_token: \${IVR_TEST_ADMIN_TOKEN}\nintegrations:\n  webhooks:\n    - name: crm\n      url: ${receiver.url}\n      secret: ${TEST_SECRET}\n      events: ${JSON.stringify(events)}\n`;
    writeFileSync(config, outboundYaml(fake.port, hooks));
    const process = await startServeProcess([binary, "serve", "--config", config, "--db", join(dir, "ivr.sqlite"), "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], { env: { ...ENV, AMI_TEST_SECRET: fake.secret } });
    server = { ...process, http: `http://127.0.0.1:${process.httpPort}` };
    await waitFor(async () => ((await (await fetch(`${server.http}/health`)).json()) as Record<string, any>).outbound?.state === "ready", "outbound to be ready", 15_000);
  });
  afterAll(async () => {
    await server?.stop();
    fake.stop();
    receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const api = async (method: string, path: string, body: unknown, token = ADMIN) =>
    (await fetch(`${server.http}${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) })).json() as Promise<Record<string, any>>;
  const ofDial = (id: string) => receiver.received.filter((hook) => hook.json.data.dial_id === id);
  const types = (hooks: readonly ReceivedWebhook[]) => hooks.map((hook) => hook.json.type);
  const valid = (hook: ReceivedWebhook) => hook.verified && WEBHOOK_SCHEMAS[hook.json.type as WebhookEventType].safeParse(hook.json).success;

  test("a campaign number whose customer presses 1: its events in order, donation_requested among them, then the campaign's end", async () => {
    plan = () => ({ outcome: "answered", whileUp: async (ids) => void (await outboundAgiCall(server.fastagiPort, ids.channelId, pressing("1"))) });
    await api("POST", "/api/campaigns/donations/numbers", { numbers: [{ number: "+375291234567", data: { donor: 17 } }] });
    await api("POST", "/api/campaigns/donations/start", {});
    await waitFor(() => types(receiver.received).includes("campaign.done"), "campaign.done at the receiver", 15_000);
    const action = receiver.received.find((hook) => hook.json.type === "campaign.action")!;
    const id = action.json.data.dial_id as string;
    await waitFor(() => types(ofDial(id)).includes("originate.ended"), "the dial's end", 10_000);
    const dial = ofDial(id);
    expect(dial.every(valid)).toBe(true);
    expect(types(dial)).toEqual(["originate.dialing", "originate.ringing", "originate.answered", "campaign.action", "originate.ended"]);
    expect(dial.map((hook) => hook.json.data.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(action.json.data).toMatchObject({ campaign: "donations", key: "1", action: "event", event: "donation_requested", dial: { number: "+375291234567", data: { donor: 17 } } });
    expect(dial.at(-1)!.json.data).toMatchObject({ outcome: "answered", final: true, dial: { keys: ["1"] } });
    const campaign = receiver.received.filter((hook) => hook.json.type.startsWith("campaign.") && hook.json.type !== "campaign.action");
    expect(campaign.map((hook) => [hook.json.type, hook.json.data.sequence])).toEqual([
      ["campaign.started", 1],
      ["campaign.done", 2],
    ]);
  });

  test("an answered click-to-call: queued to ended, its final outcome exactly once", async () => {
    plan = () => ({ outcome: "answered" });
    const posted = await api("POST", "/api/originate", { kind: "click-to-call", to: "80291234568", extension: "150" }, CRM_TOKEN);
    const id = posted.id as string;
    await waitFor(() => types(ofDial(id)).includes("originate.ended"), "the click-to-call's end", 15_000);
    // Time for anything delivered twice to arrive.
    await Bun.sleep(500);
    const dial = ofDial(id);
    expect(dial.every(valid)).toBe(true);
    expect(types(dial)).toEqual(["originate.queued", "originate.dialing", "originate.ringing", "originate.answered", "originate.ended"]);
    // Only the subscribed types are stored, so the dial's sequence has no gap.
    expect(dial.map((hook) => hook.json.data.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(receiver.received.filter((hook) => hook.json.type === "originate.ended" && hook.json.data.dial_id === id)).toHaveLength(1);
    expect(dial.at(-1)!.json.data).toMatchObject({ dial_id: id, call_id: id, outcome: "answered", final: true, dial: { kind: "click-to-call", number: "+375291234568", stage: "customer", client: "crm" } });
  });
});
