import type { IvrConfig } from "../config/schema.ts";
import { configuredCountries, countryForDid } from "../history/country.ts";

const byConfig = new WeakMap<IvrConfig, Map<string, string | undefined>>();

/**
 * The country an AMI call's outside number is read in, to store it in E.164 as the IVR's
 * records are: that of the call's DID (its enterprise's, else the top-level country); for a
 * call without a DID (outbound, internal), the top-level country, else the only one
 * configured. Remembered per config: the DID's menu is looked up once.
 */
export function countryOf(config: IvrConfig, did: string | null): string | undefined {
  let known = byConfig.get(config);
  if (!known) byConfig.set(config, (known = new Map()));
  const key = did ?? "";
  if (known.has(key)) return known.get(key);
  const countries = configuredCountries(config);
  const country = did ? countryForDid(config, did) : (config.country ?? (countries.length === 1 ? countries[0] : undefined));
  if (known.size < 10_000) known.set(key, country);
  return country;
}
