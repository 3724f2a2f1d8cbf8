import type { IvrConfig } from "../config/schema.ts";
import type { SmartUser } from "../config/smart-schema.ts";
import { contextName } from "./context-name.ts";

/** One Smart Redirect context: one step of ringing a manager on one line. */
export interface StepPlan {
  readonly context: string;
  /** For the comment above the context: whose phone, which step. */
  readonly about: string;
  readonly step: number;
  readonly steps: number;
  /** Whether the steps come from the user's Follow Me (a one-step Follow Me included). */
  readonly followMe: boolean;
  /** LOCAL, set before Dial on Follow Me steps: the internal number the call counts as. */
  readonly local: string | undefined;
  /** Dial targets, rung together: PJSIP/150, Local/375291112233@from-internal. */
  readonly targets: readonly string[];
  readonly seconds: number;
  /** Where the call goes when nobody answers: the next step's context, or the line's fallback. */
  readonly next: string;
}

export interface LinePlan {
  readonly enterprise: string;
  readonly line: string;
  readonly fallback: string;
  readonly contexts: readonly StepPlan[];
}

export interface Plan {
  readonly lines: readonly LinePlan[];
  /** Things done differently from the config's letter, said so (a borrowed fallback). */
  readonly warnings: readonly string[];
  /** Things that make a correct dialplan impossible: nothing may be written. */
  readonly errors: readonly string[];
}

/** Without Follow Me a phone rings this long before the line's fallback (the seed's 30 s). */
export const SINGLE_STEP_SECONDS = 30;
/** A Follow Me step rings `rings` x this many seconds. */
export const SECONDS_PER_RING = 5;

const byNumber = (a: string, b: string) => Number(a) - Number(b) || a.localeCompare(b);

/**
 * The Smart Redirect contexts, by the rules of the seed's plan.py: for every line with Smart
 * Redirect on and every phone of every user, `mngr<phone>_<line>_<step>`. Without Follow Me,
 * one step ringing the phone for 30 s; with Follow Me, one context per step (rings x 5 s),
 * internal numbers as <technology>/<number> and outside ones as
 * Local/<digits>@<the user's outgoing context>, LOCAL set to the step's smallest internal
 * number (else the user's smallest), each step going on to the next and the last to the
 * line's fallback. A line without a fallback borrows the first one configured, with a warning.
 */
export function buildPlan(config: IvrConfig, onlyEnterprise?: string): Plan {
  const technology = config.smart?.dialplan?.technology ?? "PJSIP";
  const lines: LinePlan[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  const enterprises = Object.entries(config.smart?.enterprises ?? {}).filter(([id]) => onlyEnterprise === undefined || id === onlyEnterprise);
  if (onlyEnterprise !== undefined && enterprises.length === 0) errors.push(`no enterprise "${onlyEnterprise}" under smart.enterprises`);

  for (const [enterprise, settings] of enterprises) {
    const users = settings.users ?? [];
    const internal = new Set(users.flatMap((user) => user.phones.map((phone) => phone.number)));
    const lineEntries = Object.entries(settings.lines ?? {});
    const donor = lineEntries.find(([, line]) => line?.fallback);
    for (const [line, lineSettings] of lineEntries) {
      let fallback = lineSettings?.fallback;
      if (!fallback) {
        if (!donor) {
          errors.push(`enterprise ${enterprise}, line ${line}: no fallback context, and no other line has one (set lines."${line}".fallback)`);
          continue;
        }
        fallback = donor[1]!.fallback!;
        warnings.push(`enterprise ${enterprise}, line ${line}: no fallback; using line ${donor[0]}'s (${fallback})`);
      }
      const contexts: StepPlan[] = [];
      for (const user of users) {
        for (const phone of user.phones) {
          const steps = stepsOf(user, phone.number, technology, internal, `enterprise ${enterprise}`, errors);
          steps.forEach((step, i) => {
            contexts.push({
              context: contextName(phone.id, line, i + 1),
              about: `${user.name ?? `user ${user.id}`}, phone ${phone.id} (${phone.number})`,
              step: i + 1,
              steps: steps.length,
              followMe: Boolean(user.follow_me?.length),
              local: step.local,
              targets: step.targets,
              seconds: step.seconds,
              next: i + 1 < steps.length ? contextName(phone.id, line, i + 2) : fallback,
            });
          });
        }
      }
      lines.push({ enterprise, line, fallback, contexts });
    }
  }
  return { lines, warnings, errors };
}

function stepsOf(
  user: SmartUser,
  ownNumber: string,
  technology: string,
  internal: ReadonlySet<string>,
  where: string,
  errors: string[],
): Array<{ targets: string[]; seconds: number; local: string | undefined }> {
  if (!user.follow_me?.length) return [{ targets: [`${technology}/${ownNumber}`], seconds: SINGLE_STEP_SECONDS, local: undefined }];
  const usersSmallest = user.phones.map((phone) => phone.number).sort(byNumber)[0];
  return user.follow_me.map((step, i) => {
    const targets = step.numbers.map((number) => {
      if (internal.has(number)) return `${technology}/${number}`;
      if (!user.outgoing_context) {
        errors.push(`${where}, user ${user.id}: Follow Me step ${i + 1} calls ${number}, an outside number, but the user has no outgoing_context`);
      }
      return `Local/${number.replace(/\D/g, "")}@${user.outgoing_context ?? "missing-outgoing-context"}`;
    });
    const internalHere = step.numbers.filter((number) => internal.has(number)).sort(byNumber);
    return { targets, seconds: step.rings * SECONDS_PER_RING, local: internalHere[0] ?? usersSmallest };
  });
}
