import { canGrow } from "../ivr/extensions.ts";
import { dialArguments, extensionRule } from "../ivr/choice.ts";
import { defaultMenu, type Menu, menuFor } from "./menu.ts";
import type { IvrConfig } from "./schema.ts";

/** One line an administrator can read: what a caller of this menu can do. */
export function describeMenu(menu: Menu): string {
  const queues = Object.entries(menu.queues)
    .map(([key, queue]) => `${key}→${queue}`)
    .join(" ");
  const parts = [`welcome ${menu.welcome_sound}`, queues ? `queues ${queues}` : "no queues"];
  if (menu.max_extension_digits === 0) {
    parts.push("no extension dialing");
  } else {
    const digits = menu.min_extension_digits === menu.max_extension_digits ? `${menu.max_extension_digits}` : `${menu.min_extension_digits}-${menu.max_extension_digits}`;
    const patterns = menu.extension_patterns.length ? ` matching ${menu.extension_patterns.join(" ")}` : "";
    parts.push(`extensions of ${digits} digits${patterns} via Dial(${dialArguments(menu.extension_dial, menu).join(",")})`);
  }
  parts.push(`${menu.max_attempts} attempts`);
  if (menu.smart) parts.unshift(`Smart Redirect first (enterprise ${menu.smart})`);
  return parts.join("; ");
}

/** Things that are valid but probably not what was meant, or worth knowing. */
export function menuNotes(menu: Menu): string[] {
  const notes: string[] = [];
  const rule = extensionRule(menu);
  if (Object.keys(menu.queues).length === 0 && menu.max_extension_digits === 0) {
    notes.push("callers cannot choose anything: no queues and no extension dialing");
  }
  const waiting = Object.keys(menu.queues).filter((key) => canGrow(key, rule));
  if (waiting.length) {
    notes.push(
      `queue keys ${waiting.join(", ")} wait ${menu.extension_timeout_seconds} s for more digits, since extensions can start with them (extension_patterns can make them route at once)`,
    );
  }
  return notes;
}

export interface DidSummary {
  did: string;
  menu: Menu;
  description: string;
  notes: string[];
}

/** The default menu, then every DID's merged menu. */
export function summarize(config: IvrConfig): DidSummary[] {
  const entries: DidSummary[] = [];
  const add = (did: string, menu: Menu) => {
    const notes = menuNotes(menu);
    const lines = menu.smart ? (config.smart?.enterprises?.[menu.smart]?.lines ?? {}) : {};
    if (menu.smart && did !== "default" && !Object.hasOwn(lines, did)) {
      notes.push(`DID ${did} is not under the lines of enterprise ${menu.smart}: its callers are never routed, only named`);
    }
    entries.push({ did, menu, description: describeMenu(menu), notes });
  };
  add("default", defaultMenu(config));
  for (const did of Object.keys(config.dids ?? {})) add(did, menuFor(config, did).menu);
  return entries;
}
