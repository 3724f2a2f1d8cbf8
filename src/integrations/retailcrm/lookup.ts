import type { RetailCrmSettings } from "../../config/integrations-schema.ts";
import type { CrmFinder, CrmFound } from "../crm-lookup.ts";
import type { RetailCrmClient } from "./client.ts";
import { RetailCrmError } from "./client.ts";

interface Person {
  id?: number | string;
  firstName?: string;
  lastName?: string;
  code?: string;
  managerId?: number | string;
}

/** "Фамилия Имя": how the seed shows a RetailCRM customer. */
const fullName = (person: Person | undefined) => [person?.lastName, person?.firstName].map((part) => part?.trim()).filter(Boolean).join(" ") || undefined;

/**
 * Who a caller is in RetailCRM: /api/v5/telephony/manager gives the customer with that
 * phone and their responsible manager (whose code is the manager's extension in the
 * telephony settings); when it knows none, /api/v5/customers?filter[name]= (which also
 * searches phones) gives the customer and their managerId. A manager's extension comes
 * from retailcrm.managers (user id -> extension) first, else their code.
 */
export class RetailCrmFinder implements CrmFinder {
  constructor(
    private readonly client: RetailCrmClient,
    private readonly settings: () => RetailCrmSettings | undefined,
    readonly cacheTtlMs: () => number,
  ) {}

  async find(form: string, budgetMs: number): Promise<CrmFound | null | undefined> {
    const deadline = performance.now() + budgetMs;
    const answer = await this.notFoundIsNull(() => this.client.get("/api/v5/telephony/manager", { phone: form, details: "1" }, { budgetMs }));
    if (answer === undefined) return undefined;
    const manager = answer?.manager as Person | undefined;
    const customer = answer?.customer as Person | undefined;
    if (manager || customer) return { name: fullName(customer), extension: this.extensionOf(manager?.id, manager?.code) };
    const left = deadline - performance.now();
    if (left <= 0) return null;
    const list = await this.notFoundIsNull(() => this.client.get("/api/v5/customers", { "filter[name]": form, limit: "20" }, { budgetMs: left }));
    if (list === undefined) return undefined;
    const found = ((list?.customers as Person[] | undefined) ?? [])[0];
    if (!found) return null;
    return { name: fullName(found), extension: this.extensionOf(found.managerId, undefined) };
  }

  private extensionOf(userId: number | string | undefined, code: string | undefined): string | undefined {
    const mapped = userId === undefined ? undefined : this.settings()?.managers?.[String(userId)];
    return mapped ?? (code && /^\d+$/.test(code.trim()) ? code.trim() : undefined);
  }

  private async notFoundIsNull<T>(ask: () => Promise<T>): Promise<T | null> {
    try {
      return await ask();
    } catch (error) {
      if (error instanceof RetailCrmError && error.status === 404) return null;
      throw error;
    }
  }
}
