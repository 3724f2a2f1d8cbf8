import type { AmiSettings } from "../config/ami-schema.ts";

/**
 * Whether a channel is a trunk, from the `ami:` section: its endpoint (the channel name
 * without the `-0000001a` suffix) is one of `trunks`, or its name matches `trunk_pattern`.
 * Context names are never used: they differ from one dialplan to the next.
 */
export function trunkMatcher(settings: Pick<AmiSettings, "trunks" | "trunk_pattern"> | undefined): (channel: string, endpoint: string) => boolean {
  const endpoints = new Set(settings?.trunks ?? []);
  const pattern = settings?.trunk_pattern ? new RegExp(settings.trunk_pattern) : undefined;
  return (channel, endpoint) => endpoints.has(endpoint) || (pattern?.test(channel) ?? false);
}
