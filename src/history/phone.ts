import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js";

/**
 * Numbers normalized lately, by country and spelling ("" for not a number): a PBX hears the
 * same callers again and again, and libphonenumber takes tens of microseconds per number.
 * Bounded in entries (the oldest goes first) and in length (a caller id is what a peer sent).
 */
const normalized = new Map<string, string>();
const REMEMBERED = 10_000;
const REMEMBERED_LENGTH = 40;

/**
 * One form for every spelling of a number: E.164. With `country` BY, "80291234567",
 * "+375291234567" and "375291234567" are all "+375291234567". National prefixes differ by
 * country (BY 8 0xx, RU 8, TH 0), which is why this is libphonenumber's job, not ours.
 * Returns undefined for what is not a dialable outside number: "unknown", "anonymous",
 * an internal extension such as "150".
 */
export function normalizePhone(raw: string | undefined, country?: string): string | undefined {
  if (!raw) return undefined;
  if (raw.length > REMEMBERED_LENGTH) return parse(raw, country);
  const key = `${country ?? ""}|${raw}`;
  const known = normalized.get(key);
  if (known !== undefined) return known || undefined;
  const e164 = parse(raw, country);
  if (normalized.size >= REMEMBERED) normalized.delete(normalized.keys().next().value!);
  normalized.set(key, e164 ?? "");
  return e164;
}

function parse(raw: string, country: string | undefined): string | undefined {
  const trimmed = raw.trim();
  if (!/\d/.test(trimmed)) return undefined;
  const code = country && isSupportedCountry(country) ? (country as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(trimmed, code) ?? (code ? undefined : parsePhoneNumberFromString(`+${trimmed.replace(/^\+/, "")}`));
  return parsed?.isPossible() ? parsed.number : undefined;
}

export function isCountryCode(value: string): boolean {
  return isSupportedCountry(value);
}

/**
 * How the history is searched for one caller: by E.164 when the number could be normalized,
 * and by the spelling it came in (`raw`) for rows stored without an E.164 form (no country
 * was known for their DID).
 */
export interface PhoneMatch {
  readonly e164: string | undefined;
  readonly raw: string;
}

/** Undefined when there is nothing to search by (no digits: "anonymous", "unknown"). */
export function phoneMatch(raw: string | undefined, country?: string): PhoneMatch | undefined {
  const trimmed = raw?.trim();
  if (!trimmed || !/\d/.test(trimmed)) return undefined;
  return { e164: normalizePhone(trimmed, country), raw: trimmed };
}

/** The forms a number is known by in the history and in caches: E.164 and the raw spelling. */
export function phoneForms(e164: string | null | undefined, raw: string | null | undefined): string[] {
  const forms = new Set<string>();
  if (e164) forms.add(e164);
  const trimmed = raw?.trim();
  if (trimmed) forms.add(trimmed);
  return [...forms];
}
