import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSigningSecret, WEBHOOK_EVENTS } from "../../src/config/integrations-schema.ts";
import { WEBHOOK_SCHEMAS } from "../../src/integrations/webhooks/schemas.ts";
import { compiledBinary } from "../helpers/binary.ts";
import { TEST_SECRET, WebhookReceiver } from "../helpers/webhook-receiver.ts";

const PATH = process.env.PATH ?? "/usr/bin:/bin";
const receiver = new WebhookReceiver(TEST_SECRET);
let binary: string;

beforeAll(async () => {
  binary = await compiledBinary();
  receiver.start();
});
afterAll(() => receiver.stop());

async function ivr(args: string[], env: Record<string, string> = {}) {
  const proc = Bun.spawn([binary, ...args], { env: { PATH, ...env }, stdout: "pipe", stderr: "pipe", cwd: mkdtempSync(join(tmpdir(), "ivr-cli-hooks-")) });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, code };
}

describe("ivr webhooks", () => {
  test("test URL --secret: a signed sample the receiver verifies; exit 0 on 2xx", async () => {
    const { code, stdout } = await ivr(["webhooks", "test", receiver.url, "--secret", TEST_SECRET, "--event", "call.ringing"]);
    expect(code).toBe(0);
    expect(stdout).toContain("-> HTTP 200: ok");
    const hook = receiver.received.at(-1)!;
    expect(hook).toMatchObject({ verified: true, json: { type: "call.ringing", data: { sequence: 1 } } });
    expect(stdout).toContain(`webhook-id: ${hook.id}`);
  });

  test("without --secret, the secret of the configured webhook with that URL (from the environment)", async () => {
    const config = join(mkdtempSync(join(tmpdir(), "ivr-cli-hooks-")), "ivr.yaml");
    writeFileSync(config, `integrations:\n  webhooks:\n    - url: ${receiver.url}\n      secret: \${HOOK_SECRET}\n      events: ["*"]\n`);
    const ok = await ivr(["webhooks", "test", receiver.url, "--config", config], { HOOK_SECRET: TEST_SECRET });
    expect(ok.code).toBe(0);
    expect(receiver.received.at(-1)).toMatchObject({ verified: true, json: { type: "call.ended" } });
    const unset = await ivr(["webhooks", "test", receiver.url, "--config", config]);
    expect(unset).toMatchObject({ code: 1, stderr: expect.stringContaining("refers to ${HOOK_SECRET}, which is not set here") });
    const other = await ivr(["webhooks", "test", "http://127.0.0.1:1/x", "--config", config]);
    expect(other).toMatchObject({ code: 2, stderr: expect.stringContaining("no webhook with this url in the config") });
  });

  test("a refusal is exit 1 with what a delivery would do; nobody listening too", async () => {
    receiver.respond = () => new Response("no", { status: 500 });
    const refused = await ivr(["webhooks", "test", receiver.url, "--secret", TEST_SECRET]);
    receiver.respond = () => undefined;
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining("the receiver answered HTTP 500: a delivery would be retried") });
    const nobody = await ivr(["webhooks", "test", "http://127.0.0.1:1/hooks", "--secret", TEST_SECRET, "--timeout", "2"]);
    expect(nobody).toMatchObject({ code: 1, stderr: expect.stringContaining("no delivery:") });
  });

  test("mistakes are usage errors: a bad secret, an unknown event, no URL", async () => {
    expect(await ivr(["webhooks", "test", receiver.url, "--secret", "s3cret"])).toMatchObject({ code: 2, stderr: expect.stringContaining("whsec_") });
    expect(await ivr(["webhooks", "test", receiver.url, "--secret", TEST_SECRET, "--event", "call.lost"])).toMatchObject({ code: 2 });
    expect(await ivr(["webhooks", "test"])).toMatchObject({ code: 2, stderr: expect.stringContaining("test takes one URL") });
    expect(await ivr(["webhooks"])).toMatchObject({ code: 2 });
  });

  test("secret prints a new signing secret; schema prints the JSON Schemas", async () => {
    const a = await ivr(["webhooks", "secret"]);
    const b = await ivr(["webhooks", "secret"]);
    expect(isSigningSecret(a.stdout.trim())).toBe(true);
    expect(a.stdout).not.toBe(b.stdout);
    const one = JSON.parse((await ivr(["webhooks", "schema", "call.ended"])).stdout);
    expect(one).toMatchObject({ type: "object", properties: { type: { const: "call.ended" } } });
    const all = JSON.parse((await ivr(["webhooks", "schema"])).stdout);
    expect(Object.keys(all).sort()).toEqual(Object.keys(WEBHOOK_SCHEMAS).sort());
  });

  test("its help lists every event a subscription can name", async () => {
    const help = (await ivr(["webhooks", "--help"])).stdout.replace(/\s+/g, " ");
    for (const event of WEBHOOK_EVENTS) expect(help).toContain(event);
    expect([...WEBHOOK_EVENTS].sort() as string[]).toEqual(Object.keys(WEBHOOK_SCHEMAS).sort());
  });
});
