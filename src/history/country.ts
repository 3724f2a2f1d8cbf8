import { menuFor } from "../config/menu.ts";
import type { IvrConfig } from "../config/schema.ts";
import { normalizePhone } from "./phone.ts";
import type { PhoneSearch } from "./queries.ts";

/**
 * The country a DID's callers' numbers are read in (to store them in E.164): the country of
 * the enterprise that has the DID among its lines, else of the enterprise the DID's menu
 * asks (`smart:`), else the top-level `country`. product.md's config sets `country` only
 * under the enterprise; without this, its callers were stored without E.164 and Smart
 * Redirect never found them again. Undefined when none applies.
 */
export function countryForDid(config: IvrConfig, did: string): string | undefined {
  const enterprises = config.smart?.enterprises ?? {};
  for (const enterprise of Object.values(enterprises)) {
    if (enterprise.country && enterprise.lines && Object.hasOwn(enterprise.lines, did)) return enterprise.country;
  }
  const named = menuFor(config, did).menu.smart;
  const viaMenu = named && Object.hasOwn(enterprises, named) ? enterprises[named]!.country : undefined;
  return viaMenu ?? config.country;
}

/**
 * Where callers' numbers cannot be put in E.164 for lack of a country: the configured DIDs
 * without one, and whether any other DID (the default menu) has none either.
 */
export function didsWithoutCountry(config: IvrConfig): { dids: string[]; otherDids: boolean } {
  const dids = Object.keys(config.dids ?? {}).filter((did) => !countryForDid(config, did));
  const named = config.default?.smart;
  const otherDids = !(named && config.smart?.enterprises?.[named]?.country) && !config.country;
  return { dids, otherDids };
}

/** Every country numbers may have been normalized with: to find a number typed in any national spelling. */
export function configuredCountries(config: IvrConfig): string[] {
  const all = [config.country, ...Object.values(config.smart?.enterprises ?? {}).map((e) => e.country)];
  return [...new Set(all.filter((c): c is string => c !== undefined))];
}

/** A number typed by a user (`ivr calls --phone`, the API): its E.164 form in every configured country, and the spelling. */
export function phoneSearch(input: string, config: IvrConfig): PhoneSearch {
  const raw = input.trim();
  const forms = [...configuredCountries(config).map((country) => normalizePhone(raw, country)), normalizePhone(raw)];
  return { e164: [...new Set(forms.filter((form): form is string => form !== undefined))], raw };
}
