import { describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { summarizeSmart } from "../../src/config/describe-smart.ts";
import { describeIntegrations } from "../../src/integrations/describe.ts";
import { errorsOf } from "../helpers/config-errors.ts";
import { WEBHOOK_EVENTS } from "../../src/config/integrations-schema.ts";
import { WEBHOOK_SCHEMAS } from "../../src/integrations/webhooks/schemas.ts";
import { TEST_SECRET } from "../helpers/webhook-receiver.ts";

const FULL = `integrations:
  webhooks:
    - url: https://hooks.example.com/ivr?token=abc
      secret: ${TEST_SECRET}
      events: [call.started, call.ended, ivr.input, smart.decision, originate.answered]
      timeout_seconds: 15
    - name: all
      url: http://10.0.0.5:8080/hooks
      secret: \${HOOK_SECRET}
      events: ["*"]
  bitrix24:
    webhook_url: \${BITRIX24_WEBHOOK}
    default_user_id: 1
    recording_url: https://pbx.example.com/rec/{uniqueid}.mp3
    rate_per_second: 5
    burst: 250
  retailcrm:
    url: https://shop.retailcrm.ru
    api_key: \${RETAILCRM_KEY}
    client_id: ivr-pbx
    managers: { "7": "152" }
  outbox:
    retry_hours: 48
    keep_days: 14
smart:
  enterprises:
    "0367":
      token: t0367
      rules: [crm, last_call]
      crm: [retailcrm, bitrix24]
`;

describe("integrations: in the config", () => {
  test("every key, read into the values the code uses", () => {
    const config = parseConfig(FULL, "ivr.yaml");
    expect(config.integrations!.webhooks![0]).toMatchObject({ events: ["call.started", "call.ended", "ivr.input", "smart.decision", "originate.answered"], timeout_seconds: 15 });
    expect(config.integrations!.bitrix24).toMatchObject({ default_user_id: 1, rate_per_second: 5, burst: 250 });
    expect(config.integrations!.retailcrm!.managers).toEqual({ "7": "152" });
    expect(config.integrations!.outbox).toEqual({ retry_hours: 48, keep_days: 14 });
    expect(config.smart!.enterprises!["0367"]!.crm).toEqual(["retailcrm", "bitrix24"]);
  });

  test("mistakes are refused with their position and what is expected", () => {
    const errors = errorsOf(`integrations:
  webhooks:
    - url: ftp://hooks.example.com
      secret: s3cret
      events: [call.lost]
  bitrix24:
    webhook_url: portal.bitrix24.ru/rest/1/x
smart:
  enterprises:
    "0367":
      token: t
      crm: [amocrm]
`);
    expect(errors).toEqual([
      expect.stringMatching(/^ivr\.yaml:3:\d+: integrations\.webhooks\.0\.url: must be an http:\/\/ or https:\/\/ URL$/),
      expect.stringMatching(/^ivr\.yaml:4:\d+: integrations\.webhooks\.0\.secret: must be whsec_ followed by the base64 of 24 to 64 bytes/),
      expect.stringMatching(/^ivr\.yaml:5:\d+: integrations\.webhooks\.0\.events\.0: an event is one of call\.started, .*originate\.ended, .*campaign\.done, or \* for all$/),
      expect.stringMatching(/^ivr\.yaml:7:\d+: integrations\.bitrix24\.webhook_url: must be an https:\/\/ URL, or \$\{ENV_VAR\}/),
      expect.stringMatching(/^ivr\.yaml:12:\d+: smart\.enterprises\.0367\.crm\.0: a CRM is one of bitrix24, retailcrm$/),
    ]);
  });

  test("every published event type can be subscribed to; an unknown one (a typo of an outbound event too) is refused", () => {
    const hook = (events: string[]) => `integrations:\n  webhooks:\n    - url: https://h.example\n      secret: ${TEST_SECRET}\n      events: ${JSON.stringify(events)}\n`;
    expect(parseConfig(hook([...WEBHOOK_EVENTS]), "ivr.yaml").integrations!.webhooks![0]!.events).toEqual([...WEBHOOK_EVENTS]);
    expect([...WEBHOOK_EVENTS].sort() as string[]).toEqual(Object.keys(WEBHOOK_SCHEMAS).sort());
    for (const unknown of ["originate.answerd", "campaign.finished", "outbound.ended", "donation_requested"]) {
      expect(errorsOf(hook(["originate.ended", unknown]))).toEqual([expect.stringMatching(/integrations\.webhooks\.0\.events\.1: an event is one of/)]);
    }
  });

  test("a signing secret of fewer than 24 bytes is refused", () => {
    expect(errorsOf(`integrations:\n  webhooks:\n    - url: https://h.example\n      secret: whsec_${Buffer.alloc(16).toString("base64")}\n      events: ["*"]\n`)[0]).toContain("24 to 64 bytes");
  });

  test("ivr check's Smart Redirect summary names the CRMs and a CRM that is not configured", () => {
    const config = parseConfig(`smart:\n  enterprises:\n    "0367":\n      token: t0367-long-enough-token\n      rules: [crm]\n      crm: [retailcrm]\n`, "ivr.yaml");
    const [summary] = summarizeSmart(config, {});
    expect(summary!.description).toContain("crm retailcrm");
    expect(summary!.notes).toContain("crm: retailcrm is not configured under integrations: (it is skipped)");
  });
});

test("ivr check describes the integrations and what they miss", () => {
  const described = describeIntegrations(parseConfig(FULL, "ivr.yaml"), { HOOK_SECRET: TEST_SECRET });
  expect(described!.description).toBe(
    "webhook:hooks.example.com/ivr (call.started, call.ended, ivr.input, smart.decision, originate.answered); webhook:all (*); bitrix24 (calls registered, default user 1); retailcrm shop.retailcrm.ru (calls sent); deliveries retried for 48 h",
  );
  expect(described!.notes).toEqual([
    "bitrix24.webhook_url: ${BITRIX24_WEBHOOK} is not set here: ivr serve needs it in its environment",
    "retailcrm.api_key: ${RETAILCRM_KEY} is not set here: ivr serve needs it in its environment",
    "no ami: section: no call events (call.*) and no CRM call registration; ivr.input and smart.decision still go out",
  ]);
});
