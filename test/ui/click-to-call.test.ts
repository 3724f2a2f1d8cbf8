import { afterEach, describe, expect, test } from "bun:test";
import { parseConfig } from "../../src/config/load.ts";
import { insertCall } from "../../src/history/record.ts";
import { callRow } from "../helpers/history.ts";
import { ENV, testApp } from "../helpers/http-app.ts";
import { outboundAgainstFake, outboundYaml } from "../helpers/outbound.ts";
import { waitFor } from "../helpers/wait.ts";
import { signIn } from "./sign-in.ts";

/** The operator page's Call button, as its script sends it: POST /api/originate with the session cookie and the CSRF header. */
const SERVER = "server:\n  admin_token: ${IVR_TEST_ADMIN_TOKEN}\n";

let running: ReturnType<typeof outboundAgainstFake> | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function withOutbound() {
  const yaml = (port: number) => outboundYaml(port, SERVER);
  running = outboundAgainstFake({ yaml });
  const t = testApp({ config: parseConfig(yaml(running.fake.port), "test.yaml"), outbound: running.outbound, history: running.history, env: { ...ENV, AMI_TEST_SECRET: running.fake.secret } });
  insertCall(t.history, callRow({ externalNumber: "+375291234567" }));
  const session = await signIn(t.app);
  const call = (body: unknown, csrf: string | null = session.csrf) =>
    t.app.request("/api/originate", {
      method: "POST",
      headers: { Cookie: session.cookie, "Content-Type": "application/json", ...(csrf === null ? {} : { "X-CSRF-Token": csrf }) },
      body: JSON.stringify(body),
    });
  return { ...running, app: t.app, session, call };
}

describe("click-to-call from the operator page", () => {
  test("with an outbound: section: the Call button and the extension field are shown", async () => {
    const { session } = await withOutbound();
    const page = await (await session.get("/ui/history")).text();
    expect(page).toContain('<button type="button" class="secondary" data-call-to="+375291234567" aria-label="Call +375291234567 back">Call</button>');
    expect(page).toContain('id="my-extension"');
    expect(await (await session.get("/ui/recent")).text()).toContain('data-call-to="+375291234567"');
  });

  test("without one: neither is shown", async () => {
    const t = testApp();
    insertCall(t.history, callRow({ externalNumber: "+375291234567" }));
    const page = await (await (await signIn(t.app)).get("/ui/history")).text();
    expect(page).not.toContain("data-call-to");
    expect(page).not.toContain('id="my-extension"');
  });

  test("the button's request places the call: the operator's extension first, then the customer; recorded as the operator page's", async () => {
    const { call, fake, ready, outbound } = await withOutbound();
    await ready();
    const response = await call({ kind: "click-to-call", to: "+375291234567", extension: "152" });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    await waitFor(() => fake.originates.length === 1, "the Originate");
    expect(fake.originates[0]!.toObject()).toMatchObject({ Channel: "Local/152@phones", Context: "ivr-outbound", ChannelId: id });
    expect(outbound.store.get(id)).toMatchObject({ kind: "click-to-call", client: "operator-page", extension: "152", number: "+375291234567" });
  });

  test("refused: without the CSRF token, without an extension (with the reason), any other kind; nothing dialled", async () => {
    const { call, fake, history } = await withOutbound();
    const noCsrf = await call({ kind: "click-to-call", to: "+375291234567", extension: "152" }, null);
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { error: string }).error).toContain("CSRF");
    const noExtension = await call({ kind: "click-to-call", to: "+375291234567" });
    expect(noExtension.status).toBe(400);
    expect(await noExtension.json()).toEqual({ error: "click-to-call needs extension: the manager's phone, 2-15 digits", reason: "extension" });
    const callback = await call({ kind: "callback", to: "+375291234567", queue: "10001" });
    expect(callback.status).toBe(403);
    expect(((await callback.json()) as { reason: string }).reason).toBe("kind_not_allowed");
    expect(history.sqlite.query("SELECT count(*) AS n FROM outbound_dials").get()).toEqual({ n: 0 });
    expect(fake.originates).toHaveLength(0);
  });
});
