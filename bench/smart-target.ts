/** The bench's Smart Redirect config: 50 managers owning extensions 150-199, one line, no cache. */
import { EXTENSIONS } from "./history.ts";

export const BENCH_TOKEN = "bench-token-0123456789abcdef";

export function benchConfigYaml(): string {
  const users = EXTENSIONS.map((ext, i) => `        - { id: ${100 + i}, name: "Manager ${ext}", phones: [{ id: ${1000 + i}, number: "${ext}" }] }`).join("\n");
  return `country: BY
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
