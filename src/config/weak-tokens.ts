import type { IvrConfig } from "./schema.ts";
import { resolveSecret } from "./secret.ts";
import { STRONG_TOKEN_LENGTH } from "./smart-schema.ts";

/**
 * Enterprises whose Smart Redirect token is short enough to guess (a literal in the file, or
 * the value of its ${ENV_VAR} here), each with what to do about it. A short token is kept
 * (the PBXs already send it), so it is said loudly, at ivr check and when ivr serve starts.
 */
export function weakTokenWarnings(config: IvrConfig, env: NodeJS.ProcessEnv = process.env): Array<{ enterprise: string; warning: string }> {
  const warnings: Array<{ enterprise: string; warning: string }> = [];
  for (const [id, enterprise] of Object.entries(config.smart?.enterprises ?? {})) {
    const token = resolveSecret(enterprise.token, env);
    if (token === undefined || token.length >= STRONG_TOKEN_LENGTH) continue;
    const guard = enterprise.allow_ips?.length
      ? `only ${enterprise.allow_ips.join(", ")} may try it (allow_ips)`
      : "anyone who reaches the HTTP API may try; restrict it to the PBXs' addresses with allow_ips";
    warnings.push({
      enterprise: id,
      warning: `the token of enterprise ${id} has only ${token.length} characters: it can be guessed (bad tokens are only slowed down); ${guard}, and move to a token of ${STRONG_TOKEN_LENGTH}+ characters when the PBXs' ID_TOKEN can change`,
    });
  }
  return warnings;
}
