import type { SmartMode, SmartRule } from "../config/smart-schema.ts";
import { type PhoneMatch, phoneForms, phoneMatch } from "../history/phone.ts";
import type { HoursSource } from "../schedules/hours.ts";
import type { Hours } from "../schedules/types.ts";
import type { TtlCache } from "./cache.ts";
import { contextName } from "./context-name.ts";
import { type CrmAnswer, CRM_SHARE_OF_SLA, type CrmSource } from "./crm.ts";
import type { Enterprise } from "./directory.ts";

/**
 * Where the engine looks things up: call history in production, a fake in tests. May be
 * slow. A caller is looked up by E.164 and, for calls stored without it, by the raw spelling.
 */
export interface SmartSources {
  /** The extension that last or first had an answered call with this number. */
  answeredExtension(phone: PhoneMatch, which: "last" | "first"): string | undefined | Promise<string | undefined>;
  /** A name for this caller, if one is known. */
  callerName(phone: PhoneMatch): string | undefined | Promise<string | undefined>;
  /** The enterprise's CRMs (integrations): the caller's name and responsible manager. */
  crm?: CrmSource;
}

export type DecisionOutcome =
  | "routed" // DialPlan names a manager's context
  | "name_only" // a name (or none) but no routing: mode name-only, or LoadDialPlan false
  | "no_match" // no rule found a manager
  | "line_not_smart" // the line has no Smart Redirect
  | "closed" // the enterprise's schedule is closed: no routing, the name still given
  | "unknown_phone" // not a phone number (no digits; or none the enterprise's country knows)
  | "off" // mode off
  | "timeout" // the SLA passed first: nulls
  | "error"; // a lookup failed: nulls

export interface DecisionRequest {
  /** As the PBX sent it: any national or international spelling. */
  phone: string;
  /** TrunkId: the external line the call came in on. */
  line: string;
  loadDialPlan: boolean;
}

export interface DecisionStep {
  readonly rule: SmartRule | "name" | "line" | "cache" | "schedule";
  readonly result: string;
}

/** What the engine decided, why, and how long it took. */
export interface Decision {
  name: string | null;
  dialPlan: string | null;
  outcome: DecisionOutcome;
  /** The rule that found the manager, if one did. */
  rule: SmartRule | null;
  reason: string;
  mode: SmartMode;
  /** The caller in E.164, when it could be normalized. */
  phone: string | null;
  steps: DecisionStep[];
  cached: boolean;
  latencyMs: number;
}

/** What a decision comes to, and what the cache keeps of it. */
export type Verdict = Pick<Decision, "name" | "dialPlan" | "outcome" | "rule" | "reason">;

export interface DecideOptions {
  sources: SmartSources;
  /** Omitted: no cache read or written (the test call has no side effects). */
  cache?: TtlCache<Verdict>;
  /** A monotonic clock in ms, for the latency. */
  now?: () => number;
  /** The enterprise's schedule now (with overrides); without it, or for a schedule it does not know, open. */
  hours?: HoursSource;
}

const TIMEOUT = Symbol("timeout");

/**
 * One Smart Redirect decision: modes off / name-only / routing+name, the enterprise's rules in
 * order with fallback, a DialPlan only for lines with Smart Redirect and for extensions that
 * are phones in the config. Whatever happens, it answers within the enterprise's sla_ms: a
 * slow or failing lookup gives nulls and says why. Never throws.
 */
export async function decide(enterprise: Enterprise, request: DecisionRequest, options: DecideOptions): Promise<Decision> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const finish = (verdict: Verdict, extra: { phone: string | null; steps: DecisionStep[]; cached?: boolean }): Decision => ({
    ...verdict,
    mode: enterprise.mode,
    phone: extra.phone,
    steps: extra.steps,
    cached: extra.cached ?? false,
    latencyMs: now() - started,
  });
  const nothing = (outcome: DecisionOutcome, reason: string): Verdict => ({ name: null, dialPlan: null, outcome, rule: null, reason });

  if (enterprise.mode === "off") return finish(nothing("off", "Smart Redirect is off for this enterprise (mode: off)"), { phone: null, steps: [] });
  // Without a country a national number cannot be put in E.164: it is looked up in the
  // spelling it came in, as calls on DIDs without a country were stored. With a country,
  // a number libphonenumber rejects is not an outside number ("150", an extension).
  const match = phoneMatch(request.phone, enterprise.country);
  if (!match || (!match.e164 && enterprise.country)) {
    const reason = `"${request.phone}" is not a phone number that can be normalized (country ${enterprise.country ?? "not set"})`;
    return finish(nothing("unknown_phone", reason), { phone: null, steps: [] });
  }
  const phone = match.e164 ?? null;

  const hours = await hoursOf(enterprise, options.hours);
  const key = `${enterprise.id}|${phone ?? `raw:${match.raw}`}|${request.line}|${request.loadDialPlan ? 1 : 0}${hours?.open === false ? "|closed" : ""}`;
  const hit = options.cache?.get(key);
  if (hit) return finish(hit, { phone, steps: [{ rule: "cache", result: "the same question was answered within cache_ttl_seconds" }], cached: true });

  const steps: DecisionStep[] = [];
  let verdict: Verdict | typeof TIMEOUT;
  try {
    verdict = await withDeadline(evaluate(enterprise, match, request, options.sources, steps, hours), enterprise.slaMs);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return finish(nothing("error", `a lookup failed: ${message}`), { phone, steps });
  }
  if (verdict === TIMEOUT) {
    const reached = steps.at(-1);
    const where = reached ? `after ${reached.rule}` : "before the first lookup finished";
    return finish(nothing("timeout", `no answer within sla_ms (${enterprise.slaMs} ms), ${where}`), { phone, steps });
  }
  // Tagged with the caller's number: a new call of theirs drops it (SmartService.forgetPhone).
  options.cache?.set(key, verdict, phoneForms(match.e164, match.raw));
  return finish(verdict, { phone, steps });
}

async function evaluate(enterprise: Enterprise, phone: PhoneMatch, request: DecisionRequest, sources: SmartSources, steps: DecisionStep[], hours?: Hours): Promise<Verdict> {
  // The CRMs are asked at once, beside the history, within their share of the SLA.
  const asked = enterprise.crm.length && sources.crm ? sources.crm(enterprise.crm, phone, Math.round(enterprise.slaMs * CRM_SHARE_OF_SLA)) : undefined;
  const known = (await sources.callerName(phone)) ?? null;
  const crm = await asked;
  for (const note of crm?.notes ?? []) steps.push({ rule: "crm", result: note });
  // The CRM's customer name, when it knows one, over the carrier's.
  const name = crm?.name ?? known;
  steps.push({ rule: "name", result: crm?.name ? `name from ${crm.integration}: ${name}` : name ? `name from call history: ${name}` : "no name known for this number" });
  if (enterprise.mode === "name-only") return { name, dialPlan: null, outcome: "name_only", rule: null, reason: "mode name-only: names only, no routing" };
  if (!request.loadDialPlan) return { name, dialPlan: null, outcome: "name_only", rule: null, reason: "LoadDialPlan is not true: no routing asked" };
  if (hours && !hours.open) {
    const reason = `outside hours: schedule ${enterprise.schedule} is closed (${hours.reason})`;
    steps.push({ rule: "schedule", result: reason });
    return { name, dialPlan: null, outcome: "closed", rule: null, reason };
  }
  if (!enterprise.lines.has(request.line)) {
    const reason = `line ${request.line} has no Smart Redirect (it is not under lines:)`;
    steps.push({ rule: "line", result: reason });
    return { name, dialPlan: null, outcome: "line_not_smart", rule: null, reason };
  }
  for (const rule of enterprise.rules) {
    const extension = rule === "crm" ? crmManager(crm, steps, enterprise.crm.length > 0) : await sources.answeredExtension(phone, rule === "last_call" ? "last" : "first");
    if (!extension) {
      if (rule !== "crm") steps.push({ rule, result: "no answered call with this number in the history" });
      continue;
    }
    const owner = enterprise.phones.get(extension);
    if (!owner) {
      steps.push({ rule, result: `extension ${extension} answered, but it is not a phone of this enterprise (removed from the config?)` });
      continue;
    }
    const dialPlan = contextName(owner.phoneId, request.line);
    const who = owner.user.name ?? `user ${owner.user.id}`;
    steps.push({ rule, result: `extension ${extension} (phone ${owner.phoneId} of ${who}) -> ${dialPlan}` });
    const source = rule === "crm" ? `crm: ${crm!.integration}'s responsible manager,` : `${rule}:`;
    return { name, dialPlan, outcome: "routed", rule, reason: `${source} extension ${extension} of ${who}` };
  }
  return { name, dialPlan: null, outcome: "no_match", rule: null, reason: `no rule (${enterprise.rules.join(", ")}) found a manager for this number` };
}

/** The crm rule's manager: the extension the answering CRM gave, or why there is none. */
function crmManager(crm: CrmAnswer | undefined, steps: DecisionStep[], listed: boolean): string | undefined {
  if (!crm) steps.push({ rule: "crm", result: listed ? "skipped: CRMs are asked by ivr serve, not by a per-call ivr process" : "skipped: no CRM is set for this enterprise (its crm: list)" });
  else if (!crm.integration) steps.push({ rule: "crm", result: "no CRM knows this caller" });
  else if (!crm.extension) steps.push({ rule: "crm", result: `${crm.integration} names no responsible manager with an extension` });
  return crm?.extension;
}

/** The enterprise's schedule now; one that cannot be evaluated leaves routing on, as without a schedule. */
async function hoursOf(enterprise: Enterprise, source: HoursSource | undefined): Promise<Hours | undefined> {
  try {
    return enterprise.schedule ? await source?.(enterprise.schedule, Date.now()) : undefined;
  } catch {
    return undefined;
  }
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T | typeof TIMEOUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms)));
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
