import { afterEach, describe, expect, test } from "bun:test";
import type { IvrConfig } from "../../src/config/schema.ts";
import { NO_ORIGINATION, type OriginateRequest, outboundOriginator } from "../../src/integrations/click-to-call.ts";
import { startIntegrations } from "../../src/integrations/service.ts";
import { captureLog } from "../helpers/capture-log.ts";
import { FakeBitrix24 } from "../helpers/fake-bitrix24.ts";
import { tempHistory } from "../helpers/history.ts";
import { testApp } from "../helpers/http-app.ts";
import { outboundAgainstFake, outboundYaml } from "../helpers/outbound.ts";
import { waitFor } from "../helpers/wait.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const TOKEN = "51610fefc120afg4b628cc82d6298cce";

function setup() {
  const portal = new FakeBitrix24();
  portal.users = [{ ID: "1269", NAME: "Olga", LAST_NAME: "Sidorova", UF_PHONE_INNER: "152" }];
  portal.start();
  portal.calls.push({ CALL_ID: "externalCall.89350264e026dace3f2b14d1f438257c.1773236989", params: { USER_ID: 1269 }, registeredAt: Date.now(), shownTo: [], hiddenFrom: [] });
  const history = tempHistory();
  const { log, text } = captureLog();
  const config: IvrConfig = {
    integrations: { bitrix24: { webhook_url: portal.webhookUrl, application_token: TOKEN, register_calls: false }, retailcrm: { url: "http://127.0.0.1:1", api_key: "k", client_id: "ivr-pbx-client" } },
  };
  const integrations = startIntegrations({ history, config: () => config, log, upkeepMs: 20 });
  const { app } = testApp({ config, history, integrations });
  cleanups.push(() => portal.stop(), () => integrations.stop(0), () => history.close());
  return { portal, integrations, app, log: text };
}

/** OnExternalCallStart as Bitrix24 posts it: a form with PHP's nested keys. */
const callStart = (token = TOKEN) =>
  new URLSearchParams({
    event: "ONEXTERNALCALLSTART",
    "data[PHONE_NUMBER]": "+14155551234",
    "data[PHONE_NUMBER_INTERNATIONAL]": "+14155551234",
    "data[USER_ID]": "1269",
    "data[CALL_ID]": "externalCall.89350264e026dace3f2b14d1f438257c.1773236989",
    "data[CRM_ENTITY_TYPE]": "CONTACT",
    "data[CRM_ENTITY_ID]": "797",
    "auth[application_token]": token,
    "auth[domain]": "some-domain.bitrix24.com",
  }).toString();
const form = (body: string) => ({ method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body });

describe("click-to-call from Bitrix24 (OnExternalCallStart)", () => {
  test("without origination: refused with the reason, and Bitrix24's call card finished as declined with it", async () => {
    const { app, portal, log } = setup();
    const response = await app.request("/api/integrations/bitrix24/events", form(callStart()));
    expect(response.status).toBe(501);
    expect(await response.json()).toEqual({ error: NO_ORIGINATION });
    await waitFor(() => portal.succeeded("telephony.externalcall.finish").length === 1, "the card finished");
    expect(portal.succeeded("telephony.externalcall.finish")[0]).toMatchObject({ CALL_ID: "externalCall.89350264e026dace3f2b14d1f438257c.1773236989", USER_ID: 1269, STATUS_CODE: "603", FAILED_REASON: NO_ORIGINATION });
    expect(log()).toContain("click-to-call from bitrix24 to +14155551234 refused");
    expect(NO_ORIGINATION).toContain("add an outbound: section");
  });

  test("wired to outbound calls: an Originate to the PBX, the user's extension first; a number the rules refuse goes back to Bitrix24 with the reason", async () => {
    const { app, integrations, portal } = setup();
    const outbound = outboundAgainstFake({ yaml: (port) => outboundYaml(port) });
    cleanups.push(() => outbound.stop());
    await outbound.ready();
    integrations.setOriginator(outboundOriginator(outbound.outbound.place));
    const placed = await app.request("/api/integrations/bitrix24/events", form(callStart().replace(/%2B14155551234/g, "%2B375291234567")));
    const answer = (await placed.json()) as { ok: boolean; id: string };
    expect(answer.ok).toBe(true);
    await waitFor(() => outbound.fake.originates.length === 1, "the Originate");
    expect(outbound.fake.originates[0]!.toObject()).toMatchObject({ Channel: "Local/152@phones", Context: "ivr-outbound", ChannelId: answer.id });
    expect(outbound.outbound.store.get(answer.id)).toMatchObject({ kind: "click-to-call", client: "bitrix24", extension: "152", number: "+375291234567" });
    // +1 415 is outside outbound.numbers.countries (BY, GB): refused, and the card says why.
    const refused = await app.request("/api/integrations/bitrix24/events", form(callStart()));
    expect(refused.status).toBe(400); // the origination API's status for the number, not 501
    expect(((await refused.json()) as { error: string }).error).toContain("US");
    await waitFor(() => portal.succeeded("telephony.externalcall.finish").length === 1, "the card finished");
    expect(outbound.fake.originates).toHaveLength(1);
  });

  test("with an originator wired: the user's extension rings first, then the number", async () => {
    const { app, integrations } = setup();
    const asked: OriginateRequest[] = [];
    integrations.setOriginator(async (request) => (asked.push(request), { ok: true, id: "orig-1" }));
    const response = await app.request("/api/integrations/bitrix24/events", form(callStart()));
    expect(await response.json()).toEqual({ ok: true, id: "orig-1" });
    expect(asked).toEqual([{ extension: "152", phone: "+14155551234", source: "bitrix24", crmCallId: "externalCall.89350264e026dace3f2b14d1f438257c.1773236989" }]);
  });

  test("a wrong application_token is refused; other events are ignored", async () => {
    const { app } = setup();
    expect((await app.request("/api/integrations/bitrix24/events", form(callStart("guess")))).status).toBe(401);
    const other = await app.request("/api/integrations/bitrix24/events", form(new URLSearchParams({ event: "ONAPPINSTALL", "auth[application_token]": TOKEN }).toString()));
    expect(await other.json()).toEqual({ ignored: "ONAPPINSTALL" });
  });
});

describe("click-to-call from RetailCRM (makeCallUrl)", () => {
  test("refused with the reason until origination exists; wired, the manager's code is the extension", async () => {
    const { app, integrations } = setup();
    const url = "/api/integrations/retailcrm/make-call?clientId=ivr-pbx-client&code=152&phone=%2B375291234567&userId=7";
    const refused = await app.request(url);
    expect(refused.status).toBe(501);
    expect(await refused.json()).toEqual({ success: false, errorMsg: NO_ORIGINATION });
    const asked: OriginateRequest[] = [];
    integrations.setOriginator(async (request) => (asked.push(request), { ok: true }));
    expect(await (await app.request(url)).json()).toEqual({ success: true });
    expect(asked).toEqual([{ extension: "152", phone: "+375291234567", source: "retailcrm" }]);
  });

  test("a wrong clientId is refused; phone and code are required", async () => {
    const { app } = setup();
    expect((await app.request("/api/integrations/retailcrm/make-call?clientId=nope&code=152&phone=1")).status).toBe(401);
    expect((await app.request("/api/integrations/retailcrm/make-call?clientId=ivr-pbx-client&code=152")).status).toBe(400);
  });
});
