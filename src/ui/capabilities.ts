import type { AppDeps } from "../http/deps.ts";

/** What the server can do beyond the basics: the page shows a control only when it works. */
export interface Capabilities {
  /** Click-to-call: POST /api/originate exists (the origination service is in the deps). */
  originate: boolean;
}

export function capabilities(deps: AppDeps & { originate?: unknown }): Capabilities {
  return { originate: deps.originate !== undefined && deps.originate !== null };
}
