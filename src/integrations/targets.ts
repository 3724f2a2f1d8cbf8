import type { IntegrationsSettings } from "../config/integrations-schema.ts";
import type { Routing } from "../outbox/recorder.ts";
import type { Target } from "../outbox/types.ts";
import { WebhookTarget } from "./webhooks/target.ts";

/** Builds the CRM targets (and their lookups) for a config; webhooks need nothing more than their settings. */
export type CrmTargetFactory = (settings: IntegrationsSettings) => Target[];

/**
 * The targets a config asks for, rebuilt only when the config in force changes. Two
 * webhooks that come to the same name (the same URL) would share their deliveries: the
 * second is left out, loudly.
 */
export class TargetRegistry {
  private built: IntegrationsSettings | undefined | null = null;
  private targets = new Map<string, Target>();

  constructor(
    private readonly settings: () => IntegrationsSettings | undefined,
    private readonly crms: CrmTargetFactory,
    private readonly warn: (message: string) => void,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  current(): ReadonlyMap<string, Target> {
    const settings = this.settings();
    if (settings === this.built) return this.targets;
    this.built = settings;
    const targets = new Map<string, Target>();
    for (const webhook of settings?.webhooks ?? []) {
      const target = new WebhookTarget(webhook, this.env);
      if (targets.has(target.name)) this.warn(`integrations: two webhooks are both named ${target.name}: give one a name: (only the first is used)`);
      else targets.set(target.name, target);
    }
    for (const target of settings ? this.crms(settings) : []) targets.set(target.name, target);
    this.targets = targets;
    return targets;
  }

  /** Which targets take an event. */
  routing(): Routing {
    const targets = [...this.current().values()];
    return (event) => targets.filter((target) => target.accepts(event)).map((target) => target.name);
  }
}
