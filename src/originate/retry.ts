import type { CampaignSettings } from "../config/outbound-schema.ts";
import type { Outcome } from "./types.ts";

/**
 * When a campaign's number is tried again after `outcome`, in ms (undefined: not again).
 * `attempts` counts them all, the first included. What was answered, cancelled or refused
 * is done; what is unknown may have rung already, so it is never dialled again by itself.
 */
export function retryDelay(campaign: CampaignSettings | undefined, attempt: number, outcome: Outcome): number | undefined {
  if (outcome !== "busy" && outcome !== "no_answer" && outcome !== "congestion" && outcome !== "failed") return undefined;
  const rule = campaign?.retry?.[outcome];
  return rule && attempt < rule.attempts ? rule.interval_seconds * 1000 : undefined;
}
