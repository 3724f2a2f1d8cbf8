import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AmiMessage } from "../../src/ami/message.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { FakeAmi } from "../helpers/fake-ami.ts";
import type { OriginatePlan } from "../helpers/fake-originate.ts";
import { ADMIN, ENV } from "../helpers/http-app.ts";
import { BY_MOBILE, CRM_TOKEN, outboundYaml } from "../helpers/outbound.ts";
import { outboundAgiCall, pressing } from "../helpers/outbound-agi.ts";
import { type ServeProcess, startServeProcess } from "../helpers/serve-process.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * The compiled binary's ivr serve against a fake Asterisk: outbound calls end to end (the
 * API, the Originate, the tracked call, the outbound script over FastAGI, the history), and
 * a kill -9 in the middle of a campaign.
 */
let binary: string;
beforeAll(async () => {
  binary = await compiledBinary();
});

async function serve(fake: FakeAmi, dir: string): Promise<ServeProcess & { http: string }> {
  const config = join(dir, "ivr.yaml");
  writeFileSync(config, outboundYaml(fake.port, "server:\n  admin_token: ${IVR_TEST_ADMIN_TOKEN}\n"));
  const process = await startServeProcess([binary, "serve", "--config", config, "--db", join(dir, "ivr.sqlite"), "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    env: { ...ENV, AMI_TEST_SECRET: fake.secret },
  });
  return { ...process, http: `http://127.0.0.1:${process.httpPort}` };
}

async function api(server: { http: string }, method: string, path: string, body?: string, token = ADMIN, type = "application/json") {
  const response = await fetch(`${server.http}${path}`, { method, headers: { Authorization: `Bearer ${token}`, "Content-Type": type }, body });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function eventually<T>(ask: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await ask();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: last ${JSON.stringify(value)}`);
    await Bun.sleep(25);
  }
}

describe("ivr serve with outbound: calls end to end", () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let plan: (action: AmiMessage) => OriginatePlan = () => ({ outcome: "answered" });
  const fake = new FakeAmi({ secret: "e2e-outbound-secret", originate: (action) => plan(action) }).start();
  const dir = mkdtempSync(join(tmpdir(), "ivr-e2e-outbound-"));

  beforeAll(async () => {
    server = await serve(fake, dir);
    await eventually(() => fetch(`${server.http}/health`).then((r) => r.json() as Promise<Record<string, any>>), (h) => h.outbound?.state === "ready", "outbound to be ready");
  });
  afterAll(async () => {
    await server?.stop();
    fake.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a client's callback: 202, Originate into [ivr-outbound], the outbound script runs Queue, answered; one call in the history", async () => {
    const scripts: string[][] = [];
    plan = () => ({ outcome: "answered", whileUp: async (ids) => void scripts.push(await outboundAgiCall(server.fastagiPort, ids.channelId, pressing("", { ANSWEREDTIME: "3" }))) });
    const posted = await api(server, "POST", "/api/originate", JSON.stringify({ kind: "callback", to: "80291234567", queue: "10001" }), CRM_TOKEN);
    expect(posted.status).toBe(202);
    const done = await eventually(() => api(server, "GET", `/api/originate/${posted.body.id}`, undefined, CRM_TOKEN), (r) => r.body.state === "done", "the callback to end");
    expect(done.body).toMatchObject({ kind: "callback", outcome: "answered", stage: "customer", number: "+375291234567", client: "crm" });
    expect(scripts[0]).toContain("EXEC Queue 10001");
    expect(fake.originates.at(-1)!.toObject()).toMatchObject({ Channel: "PJSIP/375291234567@mtt", Context: "ivr-outbound", ChannelId: posted.body.id });
    const calls = await eventually(() => api(server, "GET", "/api/calls?phone=%2B375291234567"), (r) => r.body.calls?.length > 0 && r.body.calls[0].tracked, "the call in the history");
    expect(calls.body.calls).toHaveLength(1);
    expect(calls.body.calls[0]).toMatchObject({ uniqueid: posted.body.id, direction: "outbound", status: "answered", route_kind: "queue", destination: "10001" });
  });

  test("a campaign from CSV, its menu over FastAGI: keys recorded, donation events counted, progress in the API and /metrics", async () => {
    plan = () => ({ outcome: "answered", whileUp: async (ids) => void (await outboundAgiCall(server.fastagiPort, ids.channelId, pressing("1"))) });
    const csv = ["phone,name", ...Array.from({ length: 4 }, (_, i) => `${BY_MOBILE(100 + i)},donor ${i}`)].join("\n");
    expect((await api(server, "POST", "/api/campaigns/donations/numbers", csv, ADMIN, "text/csv")).body).toMatchObject({ added: 4 });
    expect((await api(server, "POST", "/api/campaigns/donations/start")).status).toBe(200);
    const progress = await eventually(() => api(server, "GET", "/api/campaigns/donations"), (r) => r.body.state === "done", "the campaign to finish");
    expect(progress.body).toMatchObject({ numbers: 4, dialed: 4, answered: 4, actions: { donation_requested: 4 } });
    const metrics = await (await fetch(`${server.http}/metrics`)).text();
    expect(metrics).toContain('ivr_campaign_actions{campaign="donations",action="donation_requested"} 4');
    expect(metrics).toContain('ivr_originate_ended_total{kind="message",outcome="answered"} 4');
  });
});

describe("kill -9 of the compiled daemon mid-campaign", () => {
  test("after the restart the campaign finishes: no number dialled twice, none forgotten", async () => {
    const dir = mkdtempSync(join(tmpdir(), "ivr-e2e-kill-"));
    // The calls placed before the kill stay up until the new process is running, as they
    // would on a PBX; later ones end at once.
    let restarted!: () => void;
    const upUntilRestart = new Promise<void>((resolve) => (restarted = resolve));
    let killed = false;
    const fake = new FakeAmi({ secret: "e2e-kill-secret", originate: () => (killed ? { outcome: "answered" } : { outcome: "answered", whileUp: () => upUntilRestart }) }).start();
    let server = await serve(fake, dir);
    try {
      await eventually(() => fetch(`${server.http}/health`).then((r) => r.json() as Promise<Record<string, any>>), (h) => h.outbound?.state === "ready", "outbound to be ready");
      const numbers = Array.from({ length: 12 }, (_, i) => BY_MOBILE(200 + i));
      expect((await api(server, "POST", "/api/campaigns/donations/numbers", JSON.stringify({ numbers }))).body).toMatchObject({ added: 12 });
      await api(server, "POST", "/api/campaigns/donations/start");
      await waitFor(() => fake.originates.length === 2, "the campaign's two calls up", 15_000);
      server.proc.kill("SIGKILL");
      await server.proc.exited;
      killed = true;
      const before = fake.originates.length;

      server = await serve(fake, dir);
      await eventually(() => fetch(`${server.http}/health`).then((r) => r.json() as Promise<Record<string, any>>), (h) => h.outbound?.state === "ready", "outbound to be ready again");
      restarted();
      const progress = await eventually(() => api(server, "GET", "/api/campaigns/donations"), (r) => r.body.state === "done", "the campaign to finish after the restart", 30_000);
      const dialled = fake.originates.map((a) => a.get("Channel")!);
      expect(before).toBe(2);
      expect(dialled).toHaveLength(12);
      expect(new Set(dialled)).toEqual(new Set(numbers.map((n) => `PJSIP/${n.slice(1)}@mtt`)));
      expect(progress.body).toMatchObject({ numbers: 12, dialed: 12, queued: 0, in_progress: 0 });
      // Every number has its outcome: the calls that were up across the restart were found again.
      expect(progress.body.outcomes).toEqual({ answered: 12 });
      expect(server.seen.join("\n")).toMatch(/outbound: \d+ dials were in progress before the restart/);
    } finally {
      await server.stop();
      fake.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
