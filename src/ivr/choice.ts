import type { Menu } from "../config/menu.ts";
import { canGrow, type ExtensionRule, extensionFirstDigits, isExtension } from "./extensions.ts";

/** What the caller's input means. */
export type Choice =
  | { readonly kind: "queue"; readonly key: string; readonly queue: string }
  | { readonly kind: "extension"; readonly extension: string }
  | { readonly kind: "invalid"; readonly digits: string }
  | { readonly kind: "none" };

export function extensionRule(menu: Menu): ExtensionRule {
  return { min: menu.min_extension_digits, max: menu.max_extension_digits, patterns: menu.extension_patterns };
}

const DTMF_ORDER = "0123456789*#";

/** Worked out once per menu (menus are resolved once per loaded config, see menuFor). */
const escapes = new WeakMap<Menu, string>();

/** The digits that mean something: they interrupt the welcome prompt (barge-in). */
export function escapeDigits(menu: Menu): string {
  let digits = escapes.get(menu);
  if (digits === undefined) {
    const meaningful = new Set([...Object.keys(menu.queues), ...extensionFirstDigits(extensionRule(menu))]);
    digits = [...DTMF_ORDER].filter((d) => meaningful.has(d)).join("");
    escapes.set(menu, digits);
  }
  return digits;
}

/**
 * Whether a queue key routes at once: only when no extension can start with it. Otherwise
 * the IVR waits the inter-digit timeout, since the caller may be dialing an extension.
 */
export function routesAtOnce(key: string, menu: Menu): boolean {
  const rule = extensionRule(menu);
  return Object.hasOwn(menu.queues, key) && !canGrow(key, rule);
}

/** Whether to wait for another digit after `digits`. */
export function expectsMore(digits: string, menu: Menu): boolean {
  if (digits.length === 1 && routesAtOnce(digits, menu)) return false;
  return canGrow(digits, extensionRule(menu));
}

export function decide(digits: string, menu: Menu): Choice {
  if (digits === "") return { kind: "none" };
  if (digits.length === 1 && Object.hasOwn(menu.queues, digits)) {
    return { kind: "queue", key: digits, queue: menu.queues[digits]! };
  }
  if (isExtension(digits, extensionRule(menu))) return { kind: "extension", extension: digits };
  return { kind: "invalid", digits };
}

/** The Dial target for an extension: extension_dial with {ext} replaced. */
export function dialTarget(extension: string, menu: Menu): string {
  return menu.extension_dial.replaceAll("{ext}", extension);
}

/** Dial(target,timeout,options): a timeout of 0 means none; trailing empty arguments are dropped. */
export function dialArguments(target: string, menu: Menu): string[] {
  return withoutTrailingEmpty([target, menu.dial_timeout_seconds > 0 ? String(menu.dial_timeout_seconds) : "", menu.dial_options]);
}

/** Queue(queue[,queue_options...]). */
export function queueArguments(queue: string, menu: Menu): string[] {
  return withoutTrailingEmpty([queue, menu.queue_options]);
}

function withoutTrailingEmpty(args: string[]): string[] {
  const out = [...args];
  while (out.length > 1 && out.at(-1) === "") out.pop();
  return out;
}
