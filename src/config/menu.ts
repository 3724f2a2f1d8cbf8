import { patternLength } from "../ivr/extensions.ts";
import { scheduleProblems } from "./schedules-check.ts";
import type { IvrConfig, MenuSettings } from "./schema.ts";

/** Keys a menu may leave unset even after the defaults. */
type OptionalKeys = "smart" | "schedule" | "closed";

/** A DID's menu with every key filled in (smart, schedule, closed stay optional): `dids[DID]` over `default` over these defaults. */
export type Menu = Required<Omit<MenuSettings, OptionalKeys>> & Pick<MenuSettings, OptionalKeys>;

/**
 * Defaults for keys a config leaves out. The seed's keys take the seed's example values;
 * new keys keep the seed's behaviour (Dial PJSIP/{ext}, Queue without options).
 */
export const DEFAULT_MENU: Readonly<Menu> = Object.freeze({
  welcome_sound: "ivr/welcome",
  invalid_sound: "ivr/invalid",
  goodbye_sound: "ivr/goodbye",
  queues: {},
  min_extension_digits: 3,
  max_extension_digits: 4,
  extension_timeout_seconds: 3,
  dial_timeout_seconds: 60,
  dial_options: "t",
  extension_dial: "PJSIP/{ext}",
  extension_patterns: [],
  queue_options: "",
  max_attempts: 3,
  input_timeout_seconds: 5,
});

export interface ResolvedMenu {
  menu: Menu;
  /** "did" when the DID has its own entry, "default" when it fell back. */
  source: "did" | "default";
}

/** The menu of a DID without an entry of its own. */
export function defaultMenu(config: IvrConfig): Menu {
  return { ...DEFAULT_MENU, ...config.default };
}

export function menuFor(config: IvrConfig, did: string): ResolvedMenu {
  const dids = config.dids ?? {};
  if (!Object.hasOwn(dids, did)) return { menu: defaultMenu(config), source: "default" };
  return { menu: { ...defaultMenu(config), ...dids[did] }, source: "did" };
}

export interface Problem {
  path: string[];
  message: string;
}

/** Problems no single key shows: the menu each DID ends up with after merging. */
export function crossCheck(config: IvrConfig): Problem[] {
  const problems: Problem[] = [];
  const check = (menu: Menu, own: MenuSettings, at: string[]) => {
    const blame = (key: keyof MenuSettings, ...others: Array<keyof MenuSettings>) => {
      const set = [key, ...others].find((k) => own[k] !== undefined);
      return set ? [...at, set] : at;
    };
    const { min_extension_digits: min, max_extension_digits: max } = menu;
    if (max > 0 && min > max) {
      problems.push({
        path: blame("min_extension_digits", "max_extension_digits"),
        message: `min_extension_digits (${min}) is more than max_extension_digits (${max})`,
      });
    }
    menu.extension_patterns.forEach((pattern, i) => {
      const length = patternLength(pattern);
      if (max > 0 && (length < min || length > max)) {
        problems.push({
          path: own.extension_patterns ? [...at, "extension_patterns", String(i)] : blame("min_extension_digits", "max_extension_digits"),
          message: `pattern ${pattern} matches ${length} digits, outside min_extension_digits..max_extension_digits (${min}..${max})`,
        });
      }
    });
  };
  const enterprises = config.smart?.enterprises ?? {};
  const checkSmart = (own: MenuSettings, at: string[]) => {
    if (own.smart !== undefined && !Object.hasOwn(enterprises, own.smart)) {
      problems.push({ path: [...at, "smart"], message: `no enterprise "${own.smart}" under smart.enterprises` });
    }
  };
  checkSmart(config.default ?? {}, ["default"]);
  for (const [did, entry] of Object.entries(config.dids ?? {})) checkSmart(entry ?? {}, ["dids", did]);
  problems.push(...scheduleProblems(config));
  check(defaultMenu(config), config.default ?? {}, ["default"]);
  for (const [did, entry] of Object.entries(config.dids ?? {})) check(menuFor(config, did).menu, entry ?? {}, ["dids", did]);
  return problems;
}
