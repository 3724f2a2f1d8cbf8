import type { CrmFinder, CrmFound } from "../crm-lookup.ts";
import type { Bitrix24Client } from "./client.ts";
import type { UserDirectory } from "./users.ts";

interface Entity {
  CRM_ENTITY_TYPE?: string;
  NAME?: string;
  ASSIGNED_BY_ID?: number | string;
  ASSIGNED_BY?: { ID?: string | number; USER_PHONE_INNER?: string | null };
}

/** Contacts before companies before leads: a person's own card names them best. */
const RANK: Record<string, number> = { CONTACT: 0, COMPANY: 1, LEAD: 2 };

/**
 * Who a caller is in Bitrix24: telephony.externalCall.searchCrmEntities by one spelling of
 * the number gives the CRM entities with that phone, each with its responsible user and the
 * user's internal number (else the number from user.get's map).
 */
export class Bitrix24Finder implements CrmFinder {
  constructor(
    private readonly client: Bitrix24Client,
    private readonly users: UserDirectory,
    readonly cacheTtlMs: () => number,
  ) {}

  async find(form: string, budgetMs: number): Promise<CrmFound | null | undefined> {
    const entities = await this.client.callWithin<Entity[]>("telephony.externalCall.searchCrmEntities", { PHONE_NUMBER: form }, budgetMs);
    if (entities === undefined) return undefined;
    if (!Array.isArray(entities) || !entities.length) return null;
    const best = [...entities].sort((a, b) => (RANK[a.CRM_ENTITY_TYPE ?? ""] ?? 9) - (RANK[b.CRM_ENTITY_TYPE ?? ""] ?? 9))[0]!;
    const userId = String(best.ASSIGNED_BY?.ID ?? best.ASSIGNED_BY_ID ?? "");
    const extension = best.ASSIGNED_BY?.USER_PHONE_INNER?.trim() || (userId ? this.users.extensionOf(userId) : undefined);
    return { name: best.NAME?.trim() || undefined, extension: extension || undefined };
  }
}
