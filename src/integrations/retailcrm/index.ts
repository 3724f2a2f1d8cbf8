import type { RetailCrmSettings } from "../../config/integrations-schema.ts";
import { resolveSecret } from "../../config/secret.ts";
import type { History } from "../../history/db.ts";
import { CrmCallStore } from "../call-state.ts";
import { RetailCrmClient } from "./client.ts";
import { RetailCrmFinder } from "./lookup.ts";
import { RetailCrmTarget } from "./target.ts";

/** RetailCRM as ivr serve uses it: one client (and its rate limits) for call sync and Smart Redirect's lookups. */
export function retailcrm(settings: () => RetailCrmSettings | undefined, history: History, env: NodeJS.ProcessEnv = process.env) {
  const current = settings()!;
  const client = new RetailCrmClient({
    url: () => settings()?.url ?? current.url,
    apiKey: () => resolveSecret(settings()?.api_key ?? current.api_key, env),
    ratePerSecond: current.rate_per_second,
    telephonyRatePerSecond: current.telephony_rate_per_second,
    timeoutMs: (current.timeout_seconds ?? 10) * 1000,
  });
  return {
    client,
    target: new RetailCrmTarget(settings, client, new CrmCallStore(history, "retailcrm")),
    finder: new RetailCrmFinder(client, settings, () => (settings()?.lookup_cache_seconds ?? 300) * 1000),
  };
}
