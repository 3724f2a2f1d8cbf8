import { afterEach, describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import type { CampaignEvent } from "../../src/originate/events.ts";
import type { OriginatePlan } from "../helpers/fake-originate.ts";
import { ADMIN, ENV, testApp } from "../helpers/http-app.ts";
import { BY_MOBILE, outboundAgainstFake, outboundYaml } from "../helpers/outbound.ts";
import { waitFor } from "../helpers/wait.ts";

let running: ReturnType<typeof outboundAgainstFake> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

type Plan = (action: import("../../src/ami/message.ts").AmiMessage) => OriginatePlan;

function campaign(originate: Plan = () => ({ outcome: "answered" })) {
  running = outboundAgainstFake({ originate });
  const events: string[] = [];
  for (const type of ["campaign.started", "campaign.paused", "campaign.resumed", "campaign.cancelled", "campaign.done"] as const) {
    running.tracking.tracker.bus.on(type, (event: CampaignEvent) => events.push(`${type} ${event.campaign}`));
  }
  return { ...running, events, numbers: (n: number) => Array.from({ length: n }, (_, i) => ({ number: BY_MOBILE(i + 1) })) };
}

const progress = () => running!.outbound.campaigns.progress("donations");

describe("campaigns", () => {
  test("every number called once, never more than `concurrency` at a time; progress and events", async () => {
    const inFlight: number[] = [];
    const { outbound, ready, events, numbers } = campaign(() => {
      inFlight.push(running!.outbound.dialer.flights.size);
      return { outcome: "answered", holdMs: 30 };
    });
    await ready();
    outbound.campaigns.addNumbers("donations", numbers(7));
    expect(progress()).toMatchObject({ state: "idle", numbers: 7, queued: 7, dialed: 0 });
    outbound.campaigns.command("donations", "start");
    await waitFor(() => progress().state === "done", "the campaign to finish");
    expect(progress()).toMatchObject({ numbers: 7, dialed: 7, answered: 7, queued: 0, inProgress: 0, outcomes: { answered: 7 } });
    const dialled = running!.fake.originates.map((a) => a.get("Channel"));
    expect(new Set(dialled).size).toBe(7);
    expect(Math.max(...inFlight)).toBeLessThanOrEqual(2);
    expect(events).toEqual(["campaign.started donations", "campaign.done donations"]);
  });

  test("busy is tried again after retry.busy.interval_seconds, under a new call id; then its outcome stays", async () => {
    const { outbound, ready, numbers } = campaign((action) => ({ outcome: action.get("ChannelId")!.endsWith(".2") ? "answered" : "busy" }));
    await ready();
    outbound.campaigns.addNumbers("donations", numbers(1));
    outbound.campaigns.command("donations", "start");
    await waitFor(() => progress().state === "done", "the campaign to finish", 8000);
    const ids = running!.fake.originates.map((a) => a.get("ChannelId"));
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBe(`${ids[0]}.2`);
    expect(outbound.store.get(ids[0]!)).toMatchObject({ attempt: 2, outcome: "answered", callId: ids[1] });
    expect(progress()).toMatchObject({ numbers: 1, dialed: 2, answered: 1 });
  });

  test("a busy number past its attempts keeps busy as its outcome", async () => {
    const { outbound, ready, numbers } = campaign(() => ({ outcome: "busy" }));
    await ready();
    outbound.campaigns.addNumbers("donations", numbers(1));
    outbound.campaigns.command("donations", "start");
    await waitFor(() => progress().state === "done", "the campaign to finish", 8000);
    expect(progress()).toMatchObject({ dialed: 2, answered: 0, outcomes: { busy: 1 } });
  });

  test("pause stops new calls (those in progress end); resume goes on", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { outbound, ready, events, numbers } = campaign(() => ({ outcome: "answered", whileUp: () => held }));
    await ready();
    outbound.campaigns.addNumbers("donations", numbers(5));
    outbound.campaigns.command("donations", "start");
    await waitFor(() => running!.fake.originates.length === 2, "two calls");
    outbound.campaigns.command("donations", "pause");
    release();
    await waitFor(() => progress().inProgress === 0, "the calls in progress to end");
    await Bun.sleep(100);
    expect(running!.fake.originates).toHaveLength(2);
    expect(progress()).toMatchObject({ state: "paused", queued: 3, answered: 2 });
    expect(() => outbound.campaigns.command("donations", "pause")).toThrow("campaign donations is paused: it cannot be told to pause");
    outbound.campaigns.command("donations", "resume");
    await waitFor(() => progress().state === "done", "the campaign to finish");
    expect(progress()).toMatchObject({ dialed: 5, answered: 5 });
    expect(events).toEqual(["campaign.started donations", "campaign.paused donations", "campaign.resumed donations", "campaign.done donations"]);
  });

  test("cancel drops the numbers not called; the calls in progress end; numbers cannot be added after", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const { outbound, ready, numbers } = campaign(() => ({ outcome: "answered", whileUp: () => held }));
    await ready();
    outbound.campaigns.addNumbers("donations", numbers(5));
    outbound.campaigns.command("donations", "start");
    await waitFor(() => running!.fake.originates.length === 2, "two calls");
    outbound.campaigns.command("donations", "cancel");
    release();
    await waitFor(() => progress().inProgress === 0, "the calls in progress to end");
    expect(progress()).toMatchObject({ state: "cancelled", dialed: 2, outcomes: { answered: 2, cancelled: 3 } });
    expect(() => outbound.campaigns.addNumbers("donations", numbers(1))).toThrow("is cancelled");
  });
});

describe("the campaign API (admin)", () => {
  test("a CSV upload: header, the number column found, other columns kept as data; refusals and duplicates said", async () => {
    const yaml = (port: number) => outboundYaml(port, "server:\n  admin_token: ${IVR_TEST_ADMIN_TOKEN}\n");
    running = outboundAgainstFake({ yaml });
    const { app } = testApp({ config: parseConfig(yaml(running.fake.port), "t.yaml"), outbound: running.outbound, history: running.history, env: ENV });
    const post = (path: string, body: string, type: string) => app.request(path, { method: "POST", headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": type }, body });
    const csv = 'name;phone;amount\r\nAnna;80291234567;10\r\nBoris;+449098790000;5\r\n"Vera ""V""";+375 29 123-45-67;7\r\nGleb;+375291234568;\r\n';
    const response = await post("/api/campaigns/donations/numbers", csv, "text/csv");
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, any>;
    expect(body).toMatchObject({ added: 2, duplicates: 1, refused: [{ line: 3, number: "+449098790000", reason: expect.stringContaining("premium-rate") }] });
    expect(body.campaign).toMatchObject({ name: "donations", state: "idle", numbers: 2, queued: 2 });
    const rows = running.history.sqlite.query("SELECT number, data FROM outbound_dials ORDER BY seq").all();
    expect(rows).toEqual([
      { number: "+375291234567", data: JSON.stringify({ name: "Anna", amount: "10" }) },
      { number: "+375291234568", data: JSON.stringify({ name: "Gleb", amount: "" }) },
    ]);
    expect((await post("/api/campaigns/donations/start", "", "application/json")).status).toBe(200);
    expect((await post("/api/campaigns/donations/start", "", "application/json")).status).toBe(409);
    expect((await post("/api/campaigns/nope/start", "", "application/json")).status).toBe(404);
    expect((await post("/api/campaigns/donations/numbers", '{"numbers": ["+375291234569", {"number": "+375291234570", "data": {"id": 7}}]}', "application/json")).status).toBe(200);
    await waitFor(() => progress().state === "done", "the campaign to finish");
    const list = (await (await app.request("/api/campaigns", { headers: { Authorization: `Bearer ${ADMIN}` } })).json()) as Record<string, any>;
    expect(list.campaigns).toEqual([expect.objectContaining({ name: "donations", state: "done", numbers: 4, dialed: 4, answered: 4, outcomes: { answered: 4 } })]);
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('ivr_campaign_dialed{campaign="donations"} 4');
    expect(metrics).toContain('ivr_campaign_answered{campaign="donations"} 4');
  });
});
