import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compiledBinary } from "../helpers/binary.ts";
import { FakeAmi } from "../helpers/fake-ami.ts";
import { FakeBitrix24 } from "../helpers/fake-bitrix24.ts";
import { ADMIN, ENV } from "../helpers/http-app.ts";
import { outboundYaml } from "../helpers/outbound.ts";
import { type ServeProcess, startServeProcess } from "../helpers/serve-process.ts";
import { waitFor } from "../helpers/wait.ts";

/**
 * The compiled ivr serve with outbound calls: its dialer reads the schedules: section (and
 * the overrides set over its API), and the CRMs' click-to-call places a real Originate.
 */
const APPLICATION_TOKEN = "51610fefc120afg4b628cc82d6298cce";
const CALL_ID = "externalCall.89350264e026dace3f2b14d1f438257c.1773236989";

let binary: string;
let server: ServeProcess & { http: string };
const fake = new FakeAmi({ secret: "e2e-wiring-secret", originate: () => ({ outcome: "answered" }) });
const portal = new FakeBitrix24();
const dir = mkdtempSync(join(tmpdir(), "ivr-e2e-wiring-"));

beforeAll(async () => {
  binary = await compiledBinary();
  fake.start();
  portal.users = [{ ID: "1269", NAME: "Olga", LAST_NAME: "Sidorova", UF_PHONE_INNER: "152" }];
  portal.start();
  const config = join(dir, "ivr.yaml");
  // shut has no hours at all: only an override opens it.
  const extra = `server:
  admin_token: \${IVR_TEST_ADMIN_TOKEN}
schedules:
  shut:
    timezone: UTC
    hours: {}
integrations:
  bitrix24:
    webhook_url: ${portal.webhookUrl}
    application_token: ${APPLICATION_TOKEN}
    register_calls: false
`;
  writeFileSync(config, outboundYaml(fake.port, extra, { callbackSchedule: "shut" }));
  const process = await startServeProcess([binary, "serve", "--config", config, "--db", join(dir, "ivr.sqlite"), "--fastagi", "127.0.0.1:0", "--http", "127.0.0.1:0"], {
    env: { ...ENV, AMI_TEST_SECRET: fake.secret },
  });
  server = { ...process, http: `http://127.0.0.1:${process.httpPort}` };
  await waitFor(async () => ((await (await fetch(`${server.http}/health`)).json()) as Record<string, any>).outbound?.state === "ready", "outbound to be ready", 15_000);
});

afterAll(async () => {
  await server?.stop();
  fake.stop();
  portal.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.http}${path}`, { method, headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe("ivr serve: outbound calls and the schedules: section", () => {
  test("a callback under a schedule that never opens is refused; forced open over the API, it is dialled at once", async () => {
    const refused = await admin("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001" });
    expect(refused).toMatchObject({ status: 409, body: { reason: "schedule", error: "schedule shut never opens again" } });
    expect((await admin("PUT", "/api/schedules/shut/override", { state: "open", until: "cleared" })).status).toBe(200);
    const before = fake.originates.length;
    const posted = await admin("POST", "/api/originate", { kind: "callback", to: "+375291234567", queue: "10001" });
    expect(posted.status).toBe(202);
    await waitFor(() => fake.originates.length === before + 1, "the callback's Originate", 15_000);
    expect(fake.originates.at(-1)!.toObject()).toMatchObject({ Channel: "PJSIP/375291234567@mtt", ChannelId: posted.body.id });
    expect((await admin("DELETE", "/api/schedules/shut/override")).status).toBe(200);
  });
});

describe("ivr serve: click-to-call from Bitrix24", () => {
  test("OnExternalCallStart: an Originate ringing the user's extension first; the dial's client is bitrix24", async () => {
    const before = fake.originates.length;
    const form = new URLSearchParams({
      event: "ONEXTERNALCALLSTART",
      "data[PHONE_NUMBER]": "+375291234599",
      "data[PHONE_NUMBER_INTERNATIONAL]": "+375291234599",
      "data[USER_ID]": "1269",
      "data[CALL_ID]": CALL_ID,
      "auth[application_token]": APPLICATION_TOKEN,
      "auth[domain]": "some-domain.bitrix24.com",
    });
    const response = await fetch(`${server.http}/api/integrations/bitrix24/events`, { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: form.toString() });
    const answer = (await response.json()) as Record<string, any>;
    expect(response.status).toBe(200);
    expect(answer.ok).toBe(true);
    const id = answer.id as string;
    expect(id).toMatch(/^o[0-9a-z]+$/);
    await waitFor(() => fake.originates.length === before + 1, "the click-to-call's Originate", 15_000);
    expect(fake.originates.at(-1)!.toObject()).toMatchObject({ Channel: "Local/152@phones", Context: "ivr-outbound", ChannelId: id });
    const dial = await admin("GET", `/api/originate/${id}`);
    expect(dial.body).toMatchObject({ kind: "click-to-call", client: "bitrix24", extension: "152", number: "+375291234599", data: { crm_call_id: CALL_ID } });
  });
});
