import type { CrmName } from "../config/integrations-schema.ts";
import type { PhoneMatch } from "../history/phone.ts";
import { TtlCache } from "../smart/cache.ts";
import type { CrmAnswer } from "../smart/crm.ts";
import { lookupForms } from "./phone-forms.ts";

/** What a CRM knows of a caller: their name, the extension of their responsible manager. */
export interface CrmFound {
  name?: string;
  extension?: string;
}

/** One CRM's search by one spelling of a number: null when it knows no such customer, undefined when it cannot be asked in time (its rate limit). */
export interface CrmFinder {
  find(form: string, budgetMs: number): Promise<CrmFound | null | undefined>;
  cacheTtlMs(): number;
}

const TIMEOUT = Symbol("timeout");

/**
 * Smart Redirect's question to the CRMs, within a time budget: the enterprise's CRMs in
 * order (primary, then fallback); the first that knows the caller answers with their name
 * and responsible manager. Answers, "unknown" included, are cached per CRM and number for
 * its lookup_cache_seconds. A CRM that does not answer in time is left behind (its answer,
 * when it comes, fills the cache for the next call) and the reason noted.
 */
export class CrmLookups {
  private readonly caches = new Map<CrmName, TtlCache<CrmFound | null>>();

  constructor(
    private readonly finders: () => ReadonlyMap<CrmName, CrmFinder>,
    private readonly clock: () => number = Date.now,
  ) {}

  async lookup(order: readonly string[], phone: PhoneMatch, budgetMs: number): Promise<CrmAnswer> {
    const deadline = performance.now() + budgetMs;
    const notes: string[] = [];
    const finders = this.finders();
    for (const name of order as CrmName[]) {
      const finder = finders.get(name);
      if (!finder) {
        notes.push(`${name} is not configured (integrations.${name})`);
        continue;
      }
      const cache = this.cacheOf(name, finder);
      const key = phone.e164 ?? `raw:${phone.raw}`;
      const cached = cache.get(key);
      if (cached !== undefined) {
        if (cached) return { integration: name, ...cached, notes: [...notes, `${name} (cached): ${describe(cached)}`] };
        notes.push(`${name} (cached): knows no customer with this number`);
        continue;
      }
      const outcome = await this.ask(finder, phone, deadline);
      if (outcome.kind === "found") {
        cache.set(key, outcome.found, [key]);
        return { integration: name, ...outcome.found, notes: [...notes, `${name}: ${describe(outcome.found)}`] };
      }
      if (outcome.kind === "unknown") cache.set(key, null, [key]);
      if (outcome.kind === "late") outcome.later.then((found) => found !== undefined && cache.set(key, found, [key])).catch(() => {});
      notes.push(`${name}: ${outcome.kind === "unknown" ? "knows no customer with this number" : outcome.why}`);
    }
    return { notes };
  }

  /** Drops what is cached about a number (a new call of theirs changes nothing in the CRM, but a reload may). */
  clear(): void {
    for (const cache of this.caches.values()) cache.clear();
  }

  private cacheOf(name: CrmName, finder: CrmFinder): TtlCache<CrmFound | null> {
    let cache = this.caches.get(name);
    if (!cache) this.caches.set(name, (cache = new TtlCache<CrmFound | null>(finder.cacheTtlMs(), this.clock, 10_000)));
    return cache;
  }

  private async ask(
    finder: CrmFinder,
    phone: PhoneMatch,
    deadline: number,
  ): Promise<{ kind: "found"; found: CrmFound } | { kind: "unknown" } | { kind: "late"; why: string; later: Promise<CrmFound | null | undefined> } | { kind: "failed"; why: string }> {
    const forms = lookupForms(phone);
    // The spellings are asked one after the other; the whole search is what may come late.
    const search = (async () => {
      for (const form of forms) {
        const left = deadline - performance.now();
        const found = await finder.find(form, Math.max(1, left));
        if (found === undefined) return undefined;
        if (found) return found;
      }
      return null;
    })();
    const left = deadline - performance.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const result = await Promise.race([search, new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), Math.max(0, left))))]);
      if (result === TIMEOUT) return { kind: "late", why: `no answer within ${Math.round(Math.max(0, left))} ms`, later: search };
      if (result === undefined) return { kind: "failed", why: "not asked: its rate limit leaves no room within the SLA" };
      return result ? { kind: "found", found: result } : { kind: "unknown" };
    } catch (error) {
      return { kind: "failed", why: `failed: ${(error as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  }
}

function describe(found: CrmFound): string {
  const parts = [found.name ? `customer ${found.name}` : "a customer without a name", found.extension ? `manager at extension ${found.extension}` : "no responsible manager with an extension"];
  return parts.join(", ");
}
