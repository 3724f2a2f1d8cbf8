import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { loadConfigFile } from "../../src/config/load.ts";
import type { IvrConfig } from "../../src/config/schema.ts";
import { countryForDid, didsWithoutCountry, phoneSearch } from "../../src/history/country.ts";
import { insertCall, ivrCallRow } from "../../src/history/record.ts";
import { admin, ENV, macroRequest, testApp } from "../helpers/http-app.ts";
import { IVR_CONFIG, IVR_FIXTURES, replayIvr } from "../helpers/ivr-replay.ts";
import { loadTranscript, type Transcript } from "../helpers/transcript.ts";

const GETCUSTOMERDATA = "/api/callevent/getcustomerdata";

/**
 * product.md's shape: `country` only under the enterprise, no top-level one. Enterprise 0367
 * has the branch DID 0298765432 among its lines; its user owns extension 101.
 */
function productConfig(enterpriseCountry: string | undefined): IvrConfig {
  const config = loadConfigFile(IVR_CONFIG).config;
  config.server = { admin_token: "${IVR_TEST_ADMIN_TOKEN}" };
  config.smart = {
    enterprises: {
      "0367": {
        token: "${SMART_TOKEN_0367}",
        ...(enterpriseCountry ? { country: enterpriseCountry } : {}),
        lines: { "0298765432": { fallback: "from-external" } },
        users: [{ id: 25, name: "Ivan Petrov", phones: [{ id: 33, number: "101" }] }],
      },
    },
  };
  return config;
}

/** The recorded call to extension 101 on the branch DID, from a Belarusian caller dialing nationally. */
function callFrom(caller: string): Transcript {
  const base = loadTranscript(join(IVR_FIXTURES, "stdin-ext101-answered.txt"));
  return { ...base, env: base.env.map((line) => (line.startsWith("agi_callerid: ") ? `agi_callerid: ${caller}` : line)) };
}

/** The call through the IVR into the history the API reads, as ivr serve records it. */
async function recordedCall(config: IvrConfig, caller: string) {
  const t = testApp({ config, env: ENV });
  await replayIvr(callFrom(caller), config, (call, loaded) => void insertCall(t.history, ivrCallRow(call, loaded.config)));
  return t;
}

describe("a returning caller on a line of an enterprise that has the country (product.md's config)", () => {
  test("the IVR stores the number in E.164 with the enterprise's country; getcustomerdata routes the next call", async () => {
    const t = await recordedCall(productConfig("BY"), "80291234567");
    const [row] = ((await (await t.app.request("/api/calls", admin())).json()) as { calls: Array<Record<string, unknown>> }).calls;
    expect(row).toMatchObject({ external_number: "+375291234567", external_number_raw: "80291234567", answered_extension: "101" });
    const answer = await t.app.request(GETCUSTOMERDATA, macroRequest("80291234567", "0298765432"));
    expect(await answer.json()).toEqual({ Name: "Branch Caller", DialPlan: "mngr33_0298765432_1" });
  });

  test("no country anywhere: stored as dialed, and still matched in that spelling (getcustomerdata, the API)", async () => {
    const t = await recordedCall(productConfig(undefined), "80291234567");
    const answer = await t.app.request(GETCUSTOMERDATA, macroRequest("80291234567", "0298765432"));
    expect(await answer.json()).toEqual({ Name: "Branch Caller", DialPlan: "mngr33_0298765432_1" });
    const listed = (await (await t.app.request("/api/calls?phone=80291234567", admin())).json()) as { calls: Array<Record<string, unknown>> };
    expect(listed.calls).toMatchObject([{ external_number: null, external_number_raw: "80291234567" }]);
  });

  test("a row stored without E.164 (before the country was set) is found once the number can be normalized", async () => {
    const t = await recordedCall(productConfig(undefined), "80291234567");
    t.reload(productConfig("BY"));
    const answer = await t.app.request(GETCUSTOMERDATA, macroRequest("80291234567", "0298765432"));
    expect(await answer.json()).toEqual({ Name: "Branch Caller", DialPlan: "mngr33_0298765432_1" });
  });
});

describe("which country a DID's numbers are read in", () => {
  const config = productConfig("BY");
  config.dids!["0212999999"] = { smart: "0367" };

  test("the enterprise with the DID among its lines, the enterprise the menu asks, else the top-level country", () => {
    expect(countryForDid(config, "0298765432")).toBe("BY");
    expect(countryForDid(config, "0212999999")).toBe("BY");
    expect(countryForDid(config, "0223456789")).toBeUndefined();
    expect(countryForDid({ ...config, country: "TH" }, "0223456789")).toBe("TH");
    expect(countryForDid({ ...config, country: "TH" }, "0298765432")).toBe("BY");
  });

  test("DIDs without a country are listed for ivr check", () => {
    expect(didsWithoutCountry(config)).toEqual({ dids: ["0223456789"], otherDids: true });
    expect(didsWithoutCountry({ ...config, country: "TH" })).toEqual({ dids: [], otherDids: false });
  });

  test("a number typed for a search: its E.164 form in every configured country, and the spelling", () => {
    expect(phoneSearch(" 80291234567 ", config)).toEqual({ e164: ["+375291234567"], raw: "80291234567" });
    expect(phoneSearch("+66812345678", config)).toEqual({ e164: ["+66812345678"], raw: "+66812345678" });
  });
});
