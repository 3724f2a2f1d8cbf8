import type { Bitrix24Settings } from "../../config/integrations-schema.ts";
import { resolveSecret } from "../../config/secret.ts";
import type { History } from "../../history/db.ts";
import type { Logger } from "../../log.ts";
import { CrmCallStore } from "../call-state.ts";
import { Bitrix24Client } from "./client.ts";
import { Bitrix24Finder } from "./lookup.ts";
import { Bitrix24Target } from "./target.ts";
import { UserDirectory } from "./users.ts";

/**
 * Bitrix24 as ivr serve uses it: one client (and one rate limit) for the call registration
 * (the outbox's target) and Smart Redirect's lookups (the finder), one user map.
 */
export function bitrix24(settings: () => Bitrix24Settings | undefined, history: History, log: Logger, env: NodeJS.ProcessEnv = process.env) {
  const current = settings()!;
  const client = new Bitrix24Client({
    webhookUrl: () => {
      const url = settings()?.webhook_url;
      return url === undefined ? undefined : resolveSecret(url, env);
    },
    ratePerSecond: current.rate_per_second,
    burst: current.burst,
    timeoutMs: (current.timeout_seconds ?? 10) * 1000,
  });
  const users = new UserDirectory(client, () => (settings()?.users_ttl_seconds ?? 600) * 1000, log);
  return {
    client,
    users,
    target: new Bitrix24Target(settings, client, users, new CrmCallStore(history, "bitrix24"), log),
    finder: new Bitrix24Finder(client, users, () => (settings()?.lookup_cache_seconds ?? 300) * 1000),
  };
}
