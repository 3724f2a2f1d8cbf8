import type { CrmName, IntegrationsSettings } from "../config/integrations-schema.ts";
import type { History } from "../history/db.ts";
import type { Logger } from "../log.ts";
import type { Target } from "../outbox/types.ts";
import { bitrix24 } from "./bitrix24/index.ts";
import type { CrmFinder } from "./crm-lookup.ts";
import { retailcrm } from "./retailcrm/index.ts";

interface Crm {
  target: Target;
  finder: CrmFinder;
  /** Bitrix24: a user's internal number. */
  users?: { extensionOfUser(userId: string): Promise<string | undefined> };
}

/**
 * The CRMs of the config in force, each made once (its client, rate limit and caches
 * outlive config reloads; its settings are read live) and offered while its section is
 * there: as an outbox target, and as a finder for Smart Redirect.
 */
export class CrmInstances {
  private readonly made = new Map<CrmName, Crm>();

  constructor(
    private readonly settings: () => IntegrationsSettings | undefined,
    private readonly history: History,
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  targets(settings: IntegrationsSettings): Target[] {
    return this.configured(settings).map((crm) => crm.target);
  }

  finders(): ReadonlyMap<CrmName, CrmFinder> {
    const settings = this.settings();
    const finders = new Map<CrmName, CrmFinder>();
    if (!settings) return finders;
    for (const name of ["bitrix24", "retailcrm"] as const) {
      const crm = settings[name] ? this.instance(name) : undefined;
      if (crm) finders.set(name, crm.finder);
    }
    return finders;
  }

  /** The extension of a Bitrix24 user (click-to-call names the user, not the phone). */
  bitrix24Extension(userId: string): Promise<string | undefined> {
    return this.settings()?.bitrix24 ? (this.instance("bitrix24")?.users?.extensionOfUser(userId) ?? Promise.resolve(undefined)) : Promise.resolve(undefined);
  }

  private configured(settings: IntegrationsSettings): Crm[] {
    return (["bitrix24", "retailcrm"] as const).flatMap((name) => {
      const crm = settings[name] ? this.instance(name) : undefined;
      return crm ? [crm] : [];
    });
  }

  private instance(name: CrmName): Crm | undefined {
    let crm = this.made.get(name);
    if (crm) return crm;
    if (name === "bitrix24") crm = bitrix24(() => this.settings()?.bitrix24, this.history, this.log, this.env);
    if (name === "retailcrm") crm = retailcrm(() => this.settings()?.retailcrm, this.history, this.env);
    if (crm) this.made.set(name, crm);
    return crm;
  }
}
