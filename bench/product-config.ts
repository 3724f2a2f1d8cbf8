/**
 * The config `ivr serve` and the per-call `ivr` run with in the benchmark: a DID menu whose
 * key 1 is a queue (the IVR path the load generators and agi-drive play), and Smart Redirect
 * for 50 managers owning extensions 150-199 on one line, with the cache off so that every
 * request reads the history. The decision log is on (by default, beside the database), the
 * token is checked, /metrics counts; the rate limit is set out of the way of the load.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EXTENSIONS } from "./history.ts";

export const BENCH_TOKEN = "bench-token-0123456789abcdef";
/** The DID the load generator and agi-drive call (their agi_extension). */
export const BENCH_DID = "0212345678";

export function benchConfigYaml(): string {
  const users = EXTENSIONS.map((ext, i) => `        - { id: ${100 + i}, name: "Manager ${ext}", phones: [{ id: ${1000 + i}, number: "${ext}" }] }`).join("\n");
  return `country: BY
default:
  welcome_sound: "custom/welcome"
  queues: { "1": "10001" }
dids:
  "${BENCH_DID}":
    welcome_sound: "custom/welcome-hq"
    queues: { "1": "10001", "2": "10002", "3": "10003" }
    min_extension_digits: 3
    max_extension_digits: 4
    extension_timeout_seconds: 3
smart:
  cache_ttl_seconds: 0
  enterprises:
    "0367":
      token: ${BENCH_TOKEN}
      mode: routing+name
      rules: [last_call, first_call]
      allow_ips: ["127.0.0.1/32", "::1/128"]
      sla_ms: 300
      rate_limit_per_second: 100000
      lines:
        "0001363": { fallback: from-out-office-fallback }
      users:
${users}
`;
}

export function writeBenchConfig(dir: string): string {
  const path = join(dir, "ivr.yaml");
  writeFileSync(path, benchConfigYaml());
  return path;
}
