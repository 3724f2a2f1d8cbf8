import { afterEach, describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { startIntegrations } from "../../src/integrations/service.ts";
import { WEBHOOK_SCHEMAS, type WebhookEventType } from "../../src/integrations/webhooks/schemas.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { outboundAgainstFake, outboundYaml } from "../helpers/outbound.ts";
import { outboundAgiCall, pressing } from "../helpers/outbound-agi.ts";
import { waitFor } from "../helpers/wait.ts";
import { type ReceivedWebhook, TEST_SECRET, WebhookReceiver } from "../helpers/webhook-receiver.ts";

let running: ReturnType<typeof outboundAgainstFake> | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await running?.stop();
  receiver?.stop();
  running = receiver = undefined;
});

/**
 * The dialer, the campaigns, the call tracking and the integrations' outbox wired as ivr
 * serve wires them, on a real SQLite file, against the fake Asterisk replaying Asterisk 22's
 * recorded originates, delivering to a webhook receiver over HTTP that checks signatures.
 */
function outboundWithWebhooks(events: string[], originate: NonNullable<Parameters<typeof outboundAgainstFake>[0]>["originate"]) {
  receiver = new WebhookReceiver(TEST_SECRET).start();
  const hooks = `integrations:\n  webhooks:\n    - name: crm\n      url: ${receiver.url}\n      secret: ${TEST_SECRET}\n      events: ${JSON.stringify(events)}\n`;
  // The config is parsed as ivr serve would: an unknown event name would throw here.
  const yaml = (port: number) => outboundYaml(port, hooks);
  parseConfig(yaml(1), "test.yaml");
  running = outboundAgainstFake({ originate, yaml, integrations: (history, config) => startIntegrations({ history, config, log: captureLog().log, upkeepMs: 50 }) });
  return running;
}

const ofDial = (hooks: readonly ReceivedWebhook[], id: string) => hooks.filter((hook) => hook.json.data.dial_id === id);
const types = (hooks: readonly ReceivedWebhook[]) => hooks.map((hook) => hook.json.type);

function expectValid(hooks: readonly ReceivedWebhook[]): void {
  for (const hook of hooks) {
    expect({ type: hook.json.type, verified: hook.verified }).toEqual({ type: hook.json.type, verified: true });
    const parsed = WEBHOOK_SCHEMAS[hook.json.type as WebhookEventType].safeParse(hook.json);
    expect({ type: hook.json.type, error: parsed.error?.message }).toEqual({ type: hook.json.type, error: undefined });
  }
}

describe("outbound events delivered to webhooks", () => {
  test("a campaign dial whose key 1 raises donation_requested: signed deliveries of that dial, in order, numbered with its call's events", async () => {
    const running = outboundWithWebhooks(["*"], () => ({ outcome: "answered", whileUp: async (ids) => void (await outboundAgiCall(running.fastagi.port, ids.channelId, pressing("1"))) }));
    const { outbound, ready } = running;
    await ready();
    outbound.campaigns.addNumbers("donations", [{ number: "+375291234567", data: { name: "Alexei" } }]);
    outbound.campaigns.command("donations", "start");
    const { id } = running.history.sqlite.query("SELECT id FROM outbound_dials").get() as { id: string };
    await running.done(id);
    const hooks = receiver!;
    await waitFor(() => types(hooks.received).includes("campaign.done") && types(ofDial(hooks.received, id)).includes("originate.ended") && hooks.received.some((h) => h.json.type === "call.ended"), "the dial's end and the campaign's at the receiver", 10_000);
    await Bun.sleep(100);
    expect(hooks.unique()).toHaveLength(hooks.received.length);
    expectValid(hooks.received);

    const dial = ofDial(hooks.received, id);
    expect(types(dial)).toEqual(["originate.dialing", "originate.ringing", "originate.answered", "campaign.action", "originate.ended"]);
    const action = dial[3]!.json.data;
    expect(action).toMatchObject({ dial_id: id, call_id: id, campaign: "donations", key: "1", action: "event", event: "donation_requested", dial: { id, state: "answered", data: { name: "Alexei" } } });
    expect(dial[4]!.json.data).toMatchObject({ outcome: "answered", final: true, retry_at: null, dial: { state: "done", outcome: "answered", keys: ["1"] } });

    // On its first attempt the dial's id is its call's id: one sequence, one delivery order, for the dial's and the call's events.
    const sequence = hooks.received.filter((hook) => hook.json.data.dial_id === id || hook.json.data.call_id === id);
    expect(sequence.map((hook) => hook.json.data.sequence)).toEqual(sequence.map((_, i) => i + 1));
    expect(types(sequence).filter((type) => type.startsWith("call."))).toEqual(expect.arrayContaining(["call.started", "call.answered", "call.ended"]));

    const campaign = hooks.received.filter((hook) => hook.json.data.campaign === "donations" && !hook.json.data.dial_id);
    expect(campaign.map((hook) => [hook.json.type, hook.json.data.sequence])).toEqual([
      ["campaign.started", 1],
      ["campaign.done", 2],
    ]);
    expect(campaign[1]!.json.data).toMatchObject({ state: "done", progress: { numbers: 1, dialed: 1, answered: 1, outcomes: { answered: 1 }, actions: { donation_requested: 1 } } });

    // A done campaign given a new number runs again: started, then done, continuing the campaign's sequence.
    outbound.campaigns.addNumbers("donations", [{ number: "+375291234568" }]);
    await waitFor(() => hooks.received.filter((hook) => hook.json.type === "campaign.done").length === 2, "the campaign done again", 10_000);
    const again = hooks.received.filter((hook) => hook.json.data.campaign === "donations" && !hook.json.data.dial_id).slice(2);
    expect(again.map((hook) => [hook.json.type, hook.json.data.sequence, hook.json.data.progress.numbers])).toEqual([
      ["campaign.started", 3, 2],
      ["campaign.done", 4, 2],
    ]);
  });

  test("an answered click-to-call: its final outcome exactly once, after queued, dialing, ringing, answered", async () => {
    const running = outboundWithWebhooks(["originate.queued", "originate.dialing", "originate.ringing", "originate.answered", "originate.ended", "call.ended"], () => ({ outcome: "answered" }));
    await running.ready();
    const dial = running.enqueue({ kind: "click-to-call", number: "+375291234567", extension: "150" });
    expect(await running.done(dial.id)).toMatchObject({ outcome: "answered", stage: "customer" });
    const hooks = receiver!;
    await waitFor(() => types(hooks.received).includes("call.ended") && types(hooks.received).includes("originate.ended"), "the dial's and the call's ends", 10_000);
    // Both ends are in; the outbox is given time to (wrongly) deliver anything again.
    await Bun.sleep(300);
    running.integrations!.upkeep();
    await Bun.sleep(100);
    expectValid(hooks.received);
    const mine = ofDial(hooks.received, dial.id);
    expect(types(mine)).toEqual(["originate.queued", "originate.dialing", "originate.ringing", "originate.answered", "originate.ended"]);
    expect(mine[0]!.json.data).toMatchObject({ call_id: null, dial: { state: "queued", kind: "click-to-call", extension: "150", attempt: 0 } });
    const ended = hooks.received.filter((hook) => hook.json.type === "originate.ended");
    expect(ended).toHaveLength(1);
    expect(ended[0]!.json.data).toMatchObject({ dial_id: dial.id, call_id: dial.id, outcome: "answered", final: true, dial: { kind: "click-to-call", state: "done", stage: "customer" } });
    // Numbered with the call's events it shares the key with (none of which this subscription skipped between them).
    const sequences = hooks.received.filter((hook) => hook.json.data.call_id === dial.id || hook.json.data.dial_id === dial.id).map((hook) => hook.json.data.sequence as number);
    expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
    expect(running.integrations!.store.counts()).toEqual([]);
  });
});
