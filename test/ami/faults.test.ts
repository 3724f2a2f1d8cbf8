import { afterEach, describe, expect, test } from "bun:test";
import { callJson } from "../../src/history/call-json.ts";
import { FakeAmi, freshen } from "../helpers/fake-ami.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { indexOf } from "../helpers/tracking.ts";
import { trackingAgainstFake } from "../helpers/tracking-service.ts";
import { waitFor } from "../helpers/wait.ts";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});
function start(options: Parameters<typeof trackingAgainstFake>[0] = {}) {
  const setup = trackingAgainstFake(options);
  running.push(setup.stop);
  return setup;
}

describe("the recordings replayed by a fake Asterisk over TCP end up in the history", () => {
  test("every recording, call by call, field by field", async () => {
    const { fake, ready, calls } = start();
    await ready();
    for (const name of ["ivr-queue-and-dial", "queue-call", "originate-answered", "originate-busy", "originate-noanswer"]) fake.play(amiEvents(name));
    const rows = (await calls(6)).map(callJson);
    expect(rows.map((r) => [r.uniqueid, r.source, r.direction, r.status, r.external_number, r.did, r.queue, r.answered_extension, r.caller_extension, r.hangup_cause])).toEqual([
      ["1795264199.46", "ami", "inbound", "answered", "+66812345678", "0212345678", "10003-vars", "300", null, 16],
      ["1795264200.50", "ami", "inbound", "answered", "+66812223333", "0298765432", null, "1001", null, 16],
      ["ami-queue-a", "ami", "inbound", "answered", "+66800000099", "10001", "10001", "100", null, 16],
      ["ami-ans-a", "ami", "internal", "answered", null, null, null, "200", "100", 16],
      ["ami-busy-a", "ami", "internal", "busy", null, null, null, null, "512", 17],
      ["ami-noans-a", "ami", "internal", "no_answer", null, null, null, null, "999", 19],
    ]);
    expect(rows.every((r) => r.tracked && !r.gap)).toBe(true);
    expect(rows[0]).toMatchObject({ talk_seconds: 3, wait_seconds: 0, answered_by: "Local/300@agents/n", line: "Local/0212345678@probe-external", caller_name: "Test Caller" });
  });
});

describe("faults", () => {
  test("the connection drops mid-call and comes back: the call that ended meanwhile is closed with a gap, the other is reconciled and finishes", async () => {
    const { fake, tracking, ready, calls } = start();
    await ready();
    const events = amiEvents("ivr-queue-and-dial");
    const cut = indexOf(events, "BridgeEnter", { Uniqueid: "1795264200.51" }) + 1;
    const queueCallEnd = indexOf(events, "Hangup", { Uniqueid: "1795264199.46" }) + 1;
    fake.play(events.slice(0, cut));
    await waitFor(() => tracking.tracker.active.size === 2, "two calls in progress");
    fake.drop(true);
    fake.play(events.slice(cut, queueCallEnd)); // happens while we are away: the queue call ends
    await waitFor(() => tracking.health().gaps === 1, "the gap noticed");
    fake.comeBack();
    await waitFor(() => tracking.health().last_resync?.reason === "reconnected", "the resync after the reconnect");
    const [queueCall] = await calls(1);
    expect(callJson(queueCall!)).toMatchObject({ uniqueid: "1795264199.46", gap: true, status: "answered", answered_extension: "300" });
    expect(tracking.health().last_resync).toMatchObject({ closed: 4, adopted: 0 });
    fake.play(events.slice(queueCallEnd));
    const rows = await calls(2);
    expect(callJson(rows[1]!)).toMatchObject({ uniqueid: "1795264200.50", gap: true, status: "answered", answered_extension: "1001" });
    expect(tracking.health()).toMatchObject({ state: "connected", reconnects: 1, gaps: 1, active_calls: 0 });
    expect(tracking.tracker.sizes).toMatchObject({ calls: 0, channels: 0, linkedids: 0, locals: 0, bridges: 0 });
  });

  test("calls that started while we were away are adopted from the snapshot", async () => {
    const { fake, tracking, ready, calls } = start();
    await ready();
    const events = amiEvents("queue-call");
    const answered = indexOf(events, "BridgeEnter") + 2;
    fake.drop(true);
    fake.play(events.slice(0, answered));
    fake.comeBack();
    await waitFor(() => tracking.tracker.active.size === 1, "the call adopted");
    expect(tracking.health().last_resync).toMatchObject({ adopted: 4, closed: 0 });
    fake.play(events.slice(answered));
    const [row] = await calls(1);
    expect(callJson(row!)).toMatchObject({ uniqueid: "ami-queue-a", direction: "inbound", gap: true, status: "answered" });
  });

  test("a channel whose Hangup never arrived is reaped by the periodic reconciliation", async () => {
    const { fake, tracking, ready, calls } = start({ settings: { resync_interval_seconds: 0.2 } });
    await ready();
    const events = amiEvents("originate-busy");
    const lastHangup = events.findLastIndex((m) => m.event === "Hangup");
    fake.play(events.slice(0, lastHangup)); // the ;2 half's Hangup is never sent...
    await waitFor(() => tracking.tracker.channels.get("ami-busy-a")?.hungUpAt !== undefined, "the ;1 half hung up");
    expect(tracking.tracker.active.size).toBe(1);
    fake.channels.clear(); // ...though Asterisk no longer has the channel
    const [row] = await calls(1);
    expect(callJson(row!)).toMatchObject({ uniqueid: "ami-busy-a", status: "busy", gap: true });
    expect(tracking.health().last_resync).toMatchObject({ reason: "periodic", closed: 1 });
    expect(tracking.tracker.sizes).toMatchObject({ calls: 0, channels: 0 });
  });

  test("a stalled peer (no answers, no events) is left after the Ping deadline; resync follows the reconnect", async () => {
    const { fake, tracking, ready, log } = start();
    await ready();
    fake.stalled = true;
    await waitFor(() => fake.connections >= 2, "a new connection");
    fake.stalled = false;
    await waitFor(() => tracking.health().reconnects === 1 && tracking.health().last_resync?.reason === "reconnected", "reconnected and resynced", 10_000);
    expect(log()).toContain("no answer to Ping within 200 ms");
  });

  test("a peer that stops reading our actions (events still flow) is noticed by the Ping deadline too", async () => {
    const { fake, tracking, ready } = start();
    await ready();
    fake.deaf = true;
    fake.play(amiEvents("originate-answered").slice(0, 5));
    await waitFor(() => fake.connections >= 2, "a new connection");
    fake.deaf = false;
    await waitFor(() => tracking.health().state === "connected" && tracking.health().reconnects === 1, "reconnected", 10_000);
  });

  test("a refused login shows in /health as such, with the next attempt far off", async () => {
    const fake = new FakeAmi();
    const { tracking } = start({ fake, timing: { authRetryMs: 30_000 } });
    fake.secret = "not-the-configured-one";
    await waitFor(() => tracking.health().auth_failed, "the refusal");
    const health = tracking.health();
    expect(health.last_error).toContain('AMI login as "ivr" refused (Authentication failed)');
    expect(Date.parse(health.next_attempt_at!) - Date.now()).toBeGreaterThan(20_000);
    expect(fake.failedLogins).toBe(1);
  });

  test("refused permissions: the error names the missing class (write: CoreShowChannels; read: system for FullyBooted)", async () => {
    const { tracking, log } = start({ fake: new FakeAmi({ denied: ["CoreShowChannels"], fullyBooted: false }) });
    await waitFor(() => tracking.health().resync_error !== null, "the failed resync");
    expect(tracking.health().resync_error).toBe(
      'permission denied for CoreShowChannels: add "reporting" or "system" to write= for [ivr] in manager.conf (ivr ami --manager-conf prints the whole section)',
    );
    expect(log()).toContain('is "system" in read= for [ivr]?');
  });

  test("a Response with an unknown ActionID is ignored; tracking goes on", async () => {
    const { fake, tracking, ready, calls } = start();
    await ready();
    fake.broadcast("Response: Success\r\nActionID: 0000-99\r\nMessage: not for you\r\n\r\n");
    fake.play(amiEvents("originate-answered"));
    await calls(1);
    expect(tracking.client.status.unmatchedResponses).toBe(1);
    expect(tracking.health().state).toBe("connected");
  });

  test("10,000 events in one burst: every call tracked, nothing dropped, no reconnect", async () => {
    const { fake, tracking, ready, calls } = start();
    await ready();
    const one = amiEvents("ivr-queue-and-dial");
    const burst = Array.from({ length: Math.ceil(10_000 / one.length) }, (_, round) => freshen(one, round + 1)).flat();
    expect(burst.length).toBeGreaterThanOrEqual(10_000);
    fake.play(burst);
    const rows = await calls((2 * burst.length) / one.length, 30_000);
    expect(rows.filter((r) => r.status === "answered")).toHaveLength(rows.length);
    expect(tracking.health()).toMatchObject({ dropped_events: 0, gaps: 0, reconnects: 0, state: "connected" });
    expect(fake.connections).toBe(1);
  });

  test("a stalled subscriber never stops reading: the backlog overflows, is dropped and resynced, the gap reported", async () => {
    const { fake, tracking, ready, log } = start({ settings: { queue_max_events: 200 }, sliceMs: 5 });
    await ready();
    tracking.tracker.bus.on("call.started", () => {
      const until = performance.now() + 15; // a subscriber doing slow work on every call
      while (performance.now() < until);
    });
    const one = amiEvents("ivr-queue-and-dial");
    for (let round = 1; round <= 12; round++) fake.play(freshen(one, round));
    await waitFor(() => tracking.health().last_resync?.reason === "overflow", "the resync after the overflow", 20_000);
    const health = tracking.health();
    expect(health.dropped_events).toBeGreaterThan(0);
    expect(health.gaps).toBeGreaterThanOrEqual(1);
    expect(health).toMatchObject({ state: "connected", reconnects: 0 });
    expect(fake.connections).toBe(1);
    expect(log()).toContain("they were dropped; resyncing from CoreShowChannels");
    expect(tracking.metrics.render()).toMatch(/ivr_ami_gaps_total\{cause="overflow"\} [1-9]/);
  });
});
