import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js";

/**
 * One form for every spelling of a number: E.164. With `country` BY, "80291234567",
 * "+375291234567" and "375291234567" are all "+375291234567". National prefixes differ by
 * country (BY 8 0xx, RU 8, TH 0), which is why this is libphonenumber's job, not ours.
 * Returns undefined for what is not a dialable outside number: "unknown", "anonymous",
 * an internal extension such as "150".
 */
export function normalizePhone(raw: string | undefined, country?: string): string | undefined {
  if (!raw) return undefined;
  const trimmed = raw.trim();
  if (!/\d/.test(trimmed)) return undefined;
  const code = country && isSupportedCountry(country) ? (country as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(trimmed, code) ?? (code ? undefined : parsePhoneNumberFromString(`+${trimmed.replace(/^\+/, "")}`));
  return parsed?.isPossible() ? parsed.number : undefined;
}

export function isCountryCode(value: string): boolean {
  return isSupportedCountry(value);
}
