import type { AppDeps } from "../http/deps.ts";

/** What the server can do beyond the basics: the page shows a control only when it works. */
export interface Capabilities {
  /** Click-to-call: ivr serve has outbound calls (an outbound: section, in force now). */
  originate: boolean;
}

export function capabilities(deps: Pick<AppDeps, "outbound">): Capabilities {
  return { originate: deps.outbound?.settings() !== undefined };
}
