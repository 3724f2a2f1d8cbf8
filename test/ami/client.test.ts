import { afterEach, describe, expect, test } from "bun:test";
import { AmiClient, type AmiClientOptions } from "../../src/ami/client.ts";
import { DEFAULT_TIMING, retryDelay } from "../../src/ami/timing.ts";
import { AmiConnectionError, AmiPermissionError, AmiTimeoutError } from "../../src/ami/errors.ts";
import type { AmiMessage } from "../../src/ami/message.ts";
import { amiEvents } from "../helpers/ami-fixtures.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { FakeAmi } from "../helpers/fake-ami.ts";
import { waitFor } from "../helpers/wait.ts";

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function setup(fake = new FakeAmi(), options: Partial<AmiClientOptions> = {}) {
  fake.start();
  const { log, text } = captureLog();
  const client = new AmiClient({ host: "127.0.0.1", port: fake.port, username: "ivr", secret: () => "s3cret-ami", log, timing: { retryInitialMs: 20, retryMaxMs: 100 }, ...options });
  const events: AmiMessage[] = [];
  const ready: boolean[] = [];
  client.bus.on("event", ({ message }) => events.push(message));
  client.bus.on("ready", ({ fullyBooted }) => ready.push(fullyBooted));
  cleanup.push(() => fake.stop(), () => client.stop());
  client.start();
  return { fake, client, events, ready, log: text };
}

describe("login", () => {
  test("MD5 challenge, then ready on FullyBooted; ActionIDs are a random prefix and a counter", async () => {
    const { fake, client, ready } = setup();
    await waitFor(() => ready.length === 1, "ready");
    expect(client.status).toMatchObject({ state: "connected", amiVersion: "11.0.0", fullyBooted: true, authFailed: false, reconnects: 0 });
    expect(fake.actions.map((a) => a.get("Action"))).toEqual(["Challenge", "Login"]);
    const login = fake.actions[1]!;
    expect(login.get("Secret")).toBeUndefined();
    expect(login.get("Key")).toMatch(/^[0-9a-f]{32}$/);
    expect(login.get("Events")).toBe("on");
    const ids = fake.actions.map((a) => a.get("ActionID")!);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-1$/);
    expect(ids[1]).toBe(ids[0]!.replace(/-1$/, "-2"));
    expect(ready).toEqual([true]);
  });

  test("plain login where Challenge is refused", async () => {
    const { fake, ready } = setup(new FakeAmi({ md5: false }));
    await waitFor(() => ready.length === 1, "ready");
    expect(fake.actions.map((a) => [a.get("Action"), a.get("Secret")])).toEqual([
      ["Challenge", undefined],
      ["Login", "s3cret-ami"],
    ]);
  });

  test("a wrong secret is reported as such and retried slowly, not in a tight loop", async () => {
    const { fake, client, log } = setup(new FakeAmi({ secret: "another-secret" }), { timing: { retryInitialMs: 20, retryMaxMs: 100, authRetryMs: 30_000 } });
    await waitFor(() => client.status.state === "waiting", "waiting after the refusal");
    expect(client.status).toMatchObject({ authFailed: true, lastError: expect.stringContaining('AMI login as "ivr" refused (Authentication failed)') });
    expect(client.status.nextAttemptAt! - client.status.since).toBeGreaterThanOrEqual(30_000);
    expect(fake.failedLogins).toBe(1);
    expect(log()).not.toContain("s3cret-ami");
  });

  test("without FullyBooted (no 'system' in read=) it resyncs anyway after a while, and says why", async () => {
    const { ready, log } = setup(new FakeAmi({ fullyBooted: false }), { timing: { fullyBootedTimeoutMs: 50 } });
    await waitFor(() => ready.length === 1, "ready without FullyBooted");
    expect(ready).toEqual([false]);
    expect(log()).toContain('is "system" in read= for [ivr]?');
  });
});

describe("actions", () => {
  test("a list action completes on EventList: Complete; its items never reach the event stream", async () => {
    const { fake, client, ready, events } = setup();
    await waitFor(() => ready.length === 1, "ready");
    const played = amiEvents("queue-call");
    fake.play(played.slice(0, played.findIndex((e) => e.event === "AgentCalled"))); // four channels alive in the fake
    await waitFor(() => events.some((e) => e.get("Uniqueid") === "1795315592.15"), "events");
    const result = await client.list({ Action: "CoreShowChannels" });
    expect(result.response.get("EventList")).toBe("start");
    expect(result.items.map((i) => i.get("Uniqueid")).sort()).toEqual(["1795315592.14", "1795315592.15", "ami-queue-a", "ami-queue-b"]);
    expect(result.complete?.get("ListItems")).toBe("4");
    // The list items were not mistaken for live events.
    expect(events.filter((e) => e.event === "CoreShowChannel")).toEqual([]);
  });

  test("'Permission denied' names the write class the action needs", async () => {
    const { client, ready } = setup(new FakeAmi({ denied: ["CoreShowChannels"] }));
    await waitFor(() => ready.length === 1, "ready");
    const error = await client.list({ Action: "CoreShowChannels" }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(AmiPermissionError);
    expect((error as Error).message).toBe(
      'permission denied for CoreShowChannels: add "reporting" or "system" to write= for [ivr] in manager.conf (ivr ami --manager-conf prints the whole section)',
    );
  });

  test("a per-action timeout; a Response with an unknown ActionID is counted and ignored", async () => {
    const { fake, client, ready } = setup();
    await waitFor(() => ready.length === 1, "ready");
    fake.broadcast("Response: Success\r\nActionID: not-ours-7\r\nMessage: stray\r\n\r\n");
    await waitFor(() => client.status.unmatchedResponses === 1, "the stray response counted");
    fake.deaf = true;
    const error = await client.send({ Action: "Ping" }, { timeoutMs: 30 }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(AmiTimeoutError);
    expect((error as Error).message).toBe("no answer to Ping within 30 ms");
    fake.deaf = false;
    expect((await client.send({ Action: "Ping" })).get("Ping")).toBe("Pong");
  });

  test("on socket loss every pending action is rejected once, with one clear error", async () => {
    const { fake, client, ready } = setup();
    await waitFor(() => ready.length === 1, "ready");
    fake.deaf = true;
    const outcomes = [client.send({ Action: "Ping" }), client.send({ Action: "Ping" }), client.list({ Action: "CoreShowChannels" })].map((p) => p.then(() => "resolved", (e: Error) => e));
    await waitFor(() => fake.actions.length >= 5, "actions sent");
    fake.drop();
    const errors = await Promise.all(outcomes);
    for (const error of errors) {
      expect(error).toBeInstanceOf(AmiConnectionError);
      expect((error as Error).message).toMatch(/^AMI connection lost: /);
    }
    const again = await client.send({ Action: "Ping" }).catch((e: Error) => e);
    expect(again).toBeInstanceOf(AmiConnectionError);
  });

  test("an action with a line break is refused before anything is sent", async () => {
    const { fake, client, ready } = setup();
    await waitFor(() => ready.length === 1, "ready");
    const sent = fake.actions.length;
    await expect(client.send({ Action: "Originate", Channel: "PJSIP/1\r\nAction: Command" })).rejects.toThrow(/line break/);
    expect(fake.actions.length).toBe(sent);
  });
});

describe("staying connected", () => {
  test("a peer that stops answering is noticed by the Ping deadline and reconnected", async () => {
    const { fake, client, ready, log } = setup(new FakeAmi(), { timing: { pingIntervalMs: 30, pingTimeoutMs: 60, actionTimeoutMs: 200, retryInitialMs: 10, retryMaxMs: 20 } });
    await waitFor(() => ready.length === 1, "ready");
    fake.stalled = true;
    await waitFor(() => fake.connections >= 2, "a new connection");
    fake.stalled = false;
    await waitFor(() => client.status.state === "connected" && client.status.reconnects === 1, "logged in again", 10_000);
    expect(log()).toContain("no answer to Ping within 60 ms");
  });

  test("dropped and refused for a while: retries with backoff until Asterisk is back", async () => {
    const { fake, client, ready } = setup();
    await waitFor(() => ready.length === 1, "ready");
    fake.drop(true);
    await waitFor(() => fake.connections >= 4, "several refused attempts");
    expect(client.status.state).not.toBe("connected");
    expect(client.status.failures).toBeGreaterThanOrEqual(2);
    fake.comeBack();
    await waitFor(() => ready.length === 2, "ready again", 10_000);
    expect(client.status).toMatchObject({ state: "connected", reconnects: 1, failures: expect.any(Number) });
  });

  test("backoff: the first retry within half a second, doubling with jitter, capped at 30 s; a wrong secret waits 30 s", () => {
    const t = DEFAULT_TIMING;
    expect(retryDelay(0, t, 0, false)).toBe(250);
    expect(retryDelay(0, t, 1, false)).toBe(500);
    expect(retryDelay(1, t, 1, false)).toBe(1000);
    expect(retryDelay(5, t, 1, false)).toBe(16_000);
    expect(retryDelay(6, t, 1, false)).toBe(30_000);
    expect(retryDelay(60, t, 0.5, false)).toBe(22_500);
    expect(retryDelay(0, t, 0, true)).toBe(30_000);
  });

  test("stop logs off and does not reconnect", async () => {
    const { fake, client, ready } = setup();
    await waitFor(() => ready.length === 1, "ready");
    await client.stop();
    expect(fake.actions.at(-1)?.get("Action")).toBe("Logoff");
    expect(client.status.state).toBe("stopped");
    const connections = fake.connections;
    await Bun.sleep(100);
    expect(fake.connections).toBe(connections);
  });
});

test("stop while connecting to a peer that never answers the handshake: no hang, no reconnect", async () => {
  const fake = new FakeAmi();
  fake.stalled = true;
  const { client } = setup(fake);
  await waitFor(() => fake.connections === 1, "connected at TCP level");
  await client.stop();
  expect(client.status.state).toBe("stopped");
});
