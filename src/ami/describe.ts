import type { IvrConfig } from "../config/schema.ts";
import { resolveSecret, secretReference } from "../config/secret.ts";

export const DEFAULT_AMI_PORT = 5038;

/** `ivr check`'s lines about the ami: section: where ivr serve connects, how calls are told apart, what is missing. */
export function describeAmi(config: IvrConfig, env: NodeJS.ProcessEnv = process.env): { description: string; notes: string[] } | undefined {
  const ami = config.ami;
  if (!ami) return undefined;
  const trunks = [...(ami.trunks ?? []), ...(ami.trunk_pattern ? [`/${ami.trunk_pattern}/`] : [])];
  const notes: string[] = [];
  const variable = secretReference(ami.secret);
  if (variable && resolveSecret(ami.secret, env) === undefined) notes.push(`\${${variable}} is not set here: ivr serve needs it in its environment`);
  if (!trunks.length) notes.push("no trunks or trunk_pattern: every call will be recorded as internal (no inbound or outbound)");
  if (!config.country) notes.push("no country: outside numbers without + are kept as dialled, not E.164");
  return {
    description: `ivr serve connects to ${ami.host}:${ami.port ?? DEFAULT_AMI_PORT} as "${ami.username}"; trunks: ${trunks.length ? trunks.join(", ") : "none"}`,
    notes,
  };
}
