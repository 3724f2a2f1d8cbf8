import { afterEach, describe, expect, test } from "bun:test";
import { loadConfigFile } from "../../src/config/load.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { admin, SMART_CONFIG, testApp } from "../helpers/http-app.ts";
import { indexOf } from "../helpers/tracking.ts";
import { trackingAgainstFake } from "../helpers/tracking-service.ts";
import { waitFor } from "../helpers/wait.ts";

const running: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of running.splice(0)) await stop();
});

/** ivr serve's HTTP app with call tracking against a fake Asterisk; the Smart Redirect fixture's users (1001 is Olga, user 26). */
async function liveApp(heartbeatMs = 60_000) {
  const config = { ...loadConfigFile(SMART_CONFIG).config, country: "TH" };
  const setup = trackingAgainstFake({ config, heartbeatMs });
  running.push(setup.stop);
  await setup.ready();
  const { app } = testApp({ config, tracking: setup.tracking, history: setup.history });
  return { ...setup, app };
}

/** Reads an event stream until `done` says enough; returns the frames. */
async function readStream(response: Response, done: (frames: string[]) => boolean): Promise<string[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const frames = text.split("\n\n").filter(Boolean);
    if (done(frames)) {
      await reader.cancel();
      return frames;
    }
    const { value, done: ended } = await reader.read();
    if (ended) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
  throw new Error(`the stream did not deliver what was expected:\n${text}`);
}

const parse = (frame: string) => {
  const fields = Object.fromEntries(frame.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]));
  return { id: fields.id, event: fields.event, data: fields.data ? JSON.parse(fields.data) : undefined };
};

describe("GET /api/calls/active", () => {
  test("the calls in progress, as the tracker has them after the last event", async () => {
    const { app, fake, tracking } = await liveApp();
    const events = amiEvents("ivr-queue-and-dial");
    fake.play(events.slice(0, indexOf(events, "BridgeEnter", { Uniqueid: "1795264200.51" }) + 1));
    await waitFor(() => tracking.tracker.active.size === 2 && tracking.tracker.active.get("1795264200.50")?.answeredAt !== undefined, "both calls up");
    const res = await app.request("/api/calls/active", admin());
    expect(res.status).toBe(200);
    const body = (await res.json()) as { calls: Array<Record<string, unknown>>; ami: Record<string, unknown> };
    expect(body.ami).toMatchObject({ state: "connected", gaps: 0 });
    expect(body.calls.map((c) => [c.id, c.state, c.direction, c.external_number, c.answered_extension, c.answered_user])).toEqual([
      ["1795264199.46", "answered", "inbound", "+66812345678", "300", null],
      ["1795264200.50", "answered", "inbound", "+66812223333", "1001", "Olga Sidorova"],
    ]);
    expect((body.calls[1]!.legs as unknown[]).length).toBe(2);
  });

  test("admin only; 503 with a pointer when AMI is not configured", async () => {
    const { app } = await liveApp();
    expect((await app.request("/api/calls/active")).status).toBe(401);
    const off = testApp().app;
    const res = await off.request("/api/calls/active", admin());
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "AMI call tracking is off: add an ami: section to the config (see ivr ami --manager-conf)" });
  });
});

describe("GET /api/events", () => {
  test("call changes with ids as they happen, a heartbeat, and resume from Last-Event-ID", async () => {
    const { app, fake } = await liveApp(50);
    const stream = await app.request("/api/events", admin());
    expect(stream.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    fake.play(amiEvents("originate-answered"));
    const frames = await readStream(stream, (f) => f.some((x) => x.startsWith("id:") && x.includes("event: call.ended")) && f.some((x) => x.startsWith(": heartbeat")));
    expect(frames[0]).toBe("retry: 2000");
    const events = frames.filter((f) => f.startsWith("id:")).map(parse);
    expect(events.map((e) => e.event)).toEqual(["call.started", "call.ringing", "call.ringing", "call.answered", "call.ended"]);
    expect(events.every((e, i) => i === 0 || Number(e.id) === Number(events[i - 1]!.id) + 1)).toBe(true);
    expect(events[3]!.data).toMatchObject({ type: "call.answered", call: { id: "ami-ans-a", state: "answered", direction: "internal" }, leg: { endpoint: "Local/200@talk", number: "200" } });
    expect(events[4]!.data).toMatchObject({ call: { status: "answered", answered_extension: "200", ended_at: expect.any(String) } });

    // A client that saw the second event comes back: it gets the three after it, nothing twice.
    const resumed = await app.request("/api/events", admin({ headers: { "Last-Event-ID": events[1]!.id! } }));
    const again = (await readStream(resumed, (f) => f.filter((x) => x.startsWith("id:")).length >= 3)).filter((f) => f.startsWith("id:")).map(parse);
    expect(again.map((e) => e.id)).toEqual(events.slice(2).map((e) => e.id));

    // One from before the window (or a restart) is told to reload.
    const stale = await app.request("/api/events", admin({ headers: { "Last-Event-ID": "12" } }));
    const told = (await readStream(stale, (f) => f.some((x) => x.includes("event: resync")))).map(parse).find((e) => e.event === "resync");
    expect(told!.data.reason).toContain("reload /api/calls/active");
  });
});

describe("GET /api/calls/:id with legs and transfers as a timeline", () => {
  test("an attended transfer, from the history", async () => {
    const { app, fake, calls } = await liveApp();
    fake.play(amiEvents("attended-transfer.written"));
    const [row] = await calls(1);
    const res = await app.request(`/api/calls/${row!.id}`, admin());
    const body = (await res.json()) as Record<string, any>;
    expect(body).toMatchObject({ direction: "inbound", status: "answered", answered_extension: "102", tracked: true, line: "PJSIP/provider" });
    expect(body.legs.map((l: Record<string, unknown>) => [l.role, l.number])).toEqual([
      ["origin", "+66812345678"],
      ["dialed", "101"],
      ["other", "101"],
      ["dialed", "102"],
    ]);
    expect(body.transfers).toEqual([expect.objectContaining({ kind: "attended", from_party: "101", to_party: "102", result: "Success" })]);
    const timeline = body.timeline.map((e: Record<string, unknown>) => [e.event, e.leg ?? e.kind ?? e.status ?? null]);
    expect(timeline[0]).toEqual(["call.started", null]);
    expect(timeline.at(-1)).toEqual(["call.ended", "answered"]);
    expect(timeline).toContainEqual(["call.transferred", "attended"]);
    const at = body.timeline.map((e: { at: string }) => Date.parse(e.at));
    expect(at).toEqual([...at].sort((a: number, b: number) => a - b));
    expect((await app.request("/api/calls/999", admin())).status).toBe(404);
  });
});

describe("/health and /metrics", () => {
  test("the AMI state and counters", async () => {
    const { app, fake, calls } = await liveApp();
    fake.play(amiEvents("originate-busy"));
    await calls(1);
    const health = (await (await app.request("/health")).json()) as { ami: Record<string, unknown> };
    expect(health.ami).toMatchObject({ state: "connected", target: expect.stringMatching(/^ivr@127\.0\.0\.1:\d+$/), reconnects: 0, gaps: 0, active_calls: 0, fully_booted: true, connected_since: expect.any(String) });
    const metrics = await (await app.request("/metrics")).text();
    expect(metrics).toContain('ivr_ami_events_total{event="Newchannel"} 2');
    expect(metrics).toContain('ivr_calls_tracked_total{direction="internal",status="busy"} 1');
    expect(metrics).toContain("ivr_ami_connected 1");
    expect(metrics).toContain("ivr_ami_queue_depth 0");
    expect(metrics).toMatch(/ivr_ami_resyncs_total\{outcome="done"\} [1-9]/);
    const off = (await (await testApp().app.request("/health")).json()) as { ami: unknown };
    expect(off.ami).toEqual({ state: "off" });
  });
});
