import type { PhoneMatch } from "../history/phone.ts";

/** What the CRMs said about a caller: which one answered, with what; and what happened on the way (for the decision log). */
export interface CrmAnswer {
  integration?: string;
  name?: string;
  extension?: string;
  notes: string[];
}

/** Asks an enterprise's CRMs, in order, within `budgetMs`; never rejects. */
export type CrmSource = (order: readonly string[], phone: PhoneMatch, budgetMs: number) => Promise<CrmAnswer>;

/** The share of the SLA the CRMs get: the rest is for the history's lookups and the answer. */
export const CRM_SHARE_OF_SLA = 0.6;
