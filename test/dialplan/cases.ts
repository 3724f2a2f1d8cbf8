import type { IvrConfig } from "../../src/config/schema.ts";
import type { EnterpriseSettings, SmartUser } from "../../src/config/smart-schema.ts";

/** The configs the golden files are made from: each case one rule of plan.py. */
const ivan: SmartUser = { id: 25, name: "Ivan Petrov", outgoing_context: "from-internal", phones: [{ id: 31, number: "150" }, { id: 32, number: "151" }] };
const olga: SmartUser = { id: 26, name: "Olga Sidorova", phones: [{ id: 37, number: "152" }] };

const enterprise = (settings: Partial<EnterpriseSettings>): IvrConfig => ({
  smart: { enterprises: { "0367": { token: "${SMART_TOKEN_0367}", ...settings } } },
});

export const CASES: Record<string, IvrConfig> = {
  "no-follow-me": enterprise({ lines: { "0001363": { fallback: "from-out-office-fallback" } }, users: [ivan, olga] }),
  "follow-me-1-2-3-steps": enterprise({
    lines: { "0001363": { fallback: "from-out-office-fallback" } },
    users: [
      { ...ivan, follow_me: [{ rings: 3, numbers: ["151", "150"] }] },
      {
        id: 27,
        name: "Pavel (sales, night)",
        outgoing_context: "from-internal",
        phones: [{ id: 40, number: "160" }],
        follow_me: [
          { rings: 3, numbers: ["160", "150"] },
          { rings: 4, numbers: ["+375291112233"] },
        ],
      },
      {
        id: 28,
        name: "Anna",
        outgoing_context: "out-mobile",
        phones: [{ id: 45, number: "170" }, { id: 46, number: "105" }],
        follow_me: [
          { rings: 2, numbers: ["170"] },
          { rings: 4, numbers: ["+375 29 444-55-66", "152"] },
          { rings: 6, numbers: ["80171234567"] },
        ],
      },
      olga,
    ],
  }),
  "missing-fallback": enterprise({
    lines: { "0001363": { fallback: "from-out-office-fallback" }, "0001364": {} },
    users: [olga],
  }),
  "two-lines": enterprise({
    lines: { "0001363": { fallback: "from-out-office-fallback" }, GSM2: { fallback: "gsm-fallback" } },
    users: [ivan],
  }),
  "no-enabled-line": enterprise({ users: [ivan, olga] }),
};
