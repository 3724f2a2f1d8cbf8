import { afterEach, describe, expect, test } from "bun:test";
import type { CampaignEvent } from "../../src/originate/events.ts";
import { outboundAgainstFake } from "../helpers/outbound.ts";
import { outboundAgiCall, pressing } from "../helpers/outbound-agi.ts";
import type { Responder } from "../helpers/outbound-agi.ts";

let running: ReturnType<typeof outboundAgainstFake> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/**
 * One campaign number, answered (the recorded originate), and while the call is up the fake
 * Asterisk runs the generated context's AGI(agi://.../outbound,${IVR_CALL}) with a customer
 * who answers as `respond` says.
 */
async function campaignCall(respond: Responder, number = "+375291234567") {
  const sessions: string[][] = [];
  running = outboundAgainstFake({
    originate: () => ({ outcome: "answered", whileUp: async (ids) => void sessions.push(await outboundAgiCall(running!.fastagi.port, ids.channelId, respond)) }),
  });
  const { outbound, ready, tracking } = running;
  const actions: CampaignEvent[] = [];
  tracking.tracker.bus.on("campaign.action", (event) => actions.push(event));
  await ready();
  expect(outbound.campaigns.addNumbers("donations", [{ number }])).toEqual({ added: 1, duplicates: 0, refused: [] });
  outbound.campaigns.command("donations", "start");
  const { id } = running.history.sqlite.query("SELECT id FROM outbound_dials").get() as { id: string };
  const dial = await running.done(id);
  return { dial, commands: sessions[0] ?? [], actions, outbound, records: running.records };
}

describe("a campaign's menu over FastAGI: every key recorded with the call, each action done", () => {
  test("1 = donation_requested: the event is raised, the thank-you played, the key recorded", async () => {
    const { dial, commands, actions, outbound, records } = await campaignCall(pressing("1"));
    expect(commands).toEqual([
      `VERBOSE "ivr outbound message ${dial.id}: +375291234567" 1`,
      'STREAM FILE campaigns/donate "0123456789*#"',
      'VERBOSE "Outbound menu: key 1: donation_requested" 1',
      'STREAM FILE campaigns/thanks ""',
    ]);
    expect(dial).toMatchObject({ outcome: "answered", keys: "1", campaign: "donations", menu: "donations" });
    expect(actions).toEqual([expect.objectContaining({ campaign: "donations", key: "1", action: "event", event: "donation_requested" })]);
    expect(outbound.store.keysOf(dial.id)).toEqual([{ callId: dial.id, at: expect.any(Number), key: "1", action: "donation_requested" }]);
    expect(outbound.campaigns.progress("donations")).toMatchObject({ state: "done", numbers: 1, dialed: 1, answered: 1, actions: { donation_requested: 1 } });
    expect(records).toEqual([expect.objectContaining({ uniqueid: dial.id, source: "ivr", direction: "outbound", externalNumber: "+375291234567", digits: "1", status: "answered" })]);
  });

  test("9 = opt out: the number is on the do-not-call list at once, and never dialled again", async () => {
    const { dial, actions, outbound } = await campaignCall(pressing("9"));
    expect(dial).toMatchObject({ outcome: "answered", keys: "9" });
    expect(outbound.dnc.blocks("+375291234567")).toBe(true);
    expect(outbound.dnc.list(10)).toEqual([expect.objectContaining({ number: "+375291234567", source: "opt_out", campaign: "donations" })]);
    expect(actions.map((a) => a.action)).toEqual(["opt_out"]);
    // Added again later (another upload): refused, not dialled.
    expect(outbound.campaigns.addNumbers("donations", [{ number: "80291234567", line: 1 }])).toEqual({ added: 0, duplicates: 0, refused: [{ line: 1, number: "+375291234567", reason: "on the do-not-call list" }] });
  });

  test("0 = transfer to queue 10001: Queue runs, its outcome read and recorded with the call", async () => {
    const { dial, commands, records } = await campaignCall(pressing("0", { ANSWEREDTIME: "12", MEMBERINTERFACE: "Local/100@agents/n" }));
    expect(commands).toContain("EXEC Queue 10001");
    expect(commands.slice(commands.indexOf("EXEC Queue 10001") + 1)).toEqual(["GET VARIABLE QUEUESTATUS", "GET VARIABLE ABANDONED", "GET VARIABLE ANSWEREDTIME", "GET VARIABLE QUEUEWAIT", "GET VARIABLE MEMBERINTERFACE"]);
    expect(dial).toMatchObject({ outcome: "answered", keys: "0" });
    expect(records[0]).toMatchObject({ digits: "0", routeKind: "queue", destination: "10001", status: "answered", answeredBy: "Local/100@agents/n", talkSeconds: 12 });
  });

  test("an invalid key plays the invalid sound and the message again; silence counts as an attempt; then it ends", async () => {
    const { dial, commands, outbound } = await campaignCall(pressing("7,"));
    expect(commands.filter((c) => c.startsWith("STREAM FILE") || c.startsWith("WAIT FOR DIGIT"))).toEqual([
      'STREAM FILE campaigns/donate "0123456789*#"',
      'STREAM FILE ivr/invalid ""',
      'STREAM FILE campaigns/donate "0123456789*#"',
      "WAIT FOR DIGIT 5000",
    ]);
    expect(dial).toMatchObject({ outcome: "answered", keys: "7," });
    expect(outbound.campaigns.progress("donations").actions).toEqual({ invalid: 1, timeout: 1 });
  });

  test("the customer hangs up during the message: the call is recorded, no action taken", async () => {
    const { dial, outbound, records } = await campaignCall((command) => (command.startsWith("STREAM FILE") ? "HANGUP\n200 result=-1 endpos=2000" : command.startsWith("VERBOSE") ? "200 result=1" : "511 Command Not Permitted on a dead channel or intercept routine"));
    expect(dial.outcome).toBe("answered");
    expect(outbound.store.keysOf(dial.id)).toEqual([]);
    expect(records[0]).toMatchObject({ digits: "", status: "answered" });
  });

  test("a FastAGI call that is not one of ours is refused (FAILURE), nothing run", async () => {
    running = outboundAgainstFake();
    const commands = await outboundAgiCall(running.fastagi.port, "onotours12345678", () => "200 result=1");
    expect(commands).toEqual(["FAILURE"]);
  });
});
