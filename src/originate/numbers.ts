import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from "libphonenumber-js/max";
import type { NumberType } from "../config/outbound-schema.ts";

/** What may be dialled: number types (libphonenumber's), the home country and others allowed. */
export interface NumberRules {
  /** Where numbers without + are read, and the country always allowed. */
  country: string | undefined;
  types: readonly NumberType[];
  /** Countries besides `country` that may be dialled ("any": every country, for the do-not-call list). */
  countries: readonly string[] | "any";
}

/** ITU's global services: freephone, Inmarsat, satellite, international networks, premium rate. */
const NON_GEOGRAPHIC = new Set(["800", "808", "870", "878", "881", "882", "883", "888", "979"]);

export type CheckedNumber =
  | { ok: true; e164: string; country: string; type: NumberType; national: string }
  | { ok: false; code: "invalid" | "type" | "country"; reason: string };

const TYPE_WORDS: Record<NumberType, string> = {
  fixed_line: "fixed-line",
  mobile: "mobile",
  fixed_line_or_mobile: "fixed-line or mobile",
  toll_free: "toll-free",
  premium_rate: "premium-rate",
  shared_cost: "shared-cost",
  voip: "VoIP",
  personal_number: "personal",
  pager: "pager",
  uan: "UAN (universal access)",
  voicemail: "voicemail",
  unknown: "unknown-type",
};

/**
 * A destination number, validated and normalized: E.164 read in the enterprise's country,
 * valid for its country (not just the right length), of a type the config allows, in the
 * home country or one allowed. Premium-rate, shared-cost and numbers of unknown type are
 * how a PBX loses money (toll fraud): they are refused unless the config lists them.
 * Non-geographic numbers (+800, +870 Inmarsat, +881 satellite, +882/+883 international
 * networks) belong to no country and are never dialled.
 */
export function checkNumber(raw: string, rules: NumberRules): CheckedNumber {
  const trimmed = raw.trim();
  const home = rules.country && isSupportedCountry(rules.country) ? (rules.country as CountryCode) : undefined;
  if (!/^\+?[\d\s().-]{3,32}$/.test(trimmed)) return { ok: false, code: "invalid", reason: `"${trimmed.slice(0, 40)}" is not a phone number` };
  if (!trimmed.startsWith("+") && !home) return { ok: false, code: "invalid", reason: `${trimmed} has no country code and no country is configured (outbound.country or country): write it with +` };
  const parsed = parsePhoneNumberFromString(trimmed, home);
  if (!parsed) return { ok: false, code: "invalid", reason: `${trimmed} is not a phone number` };
  if (!parsed.country && NON_GEOGRAPHIC.has(parsed.countryCallingCode)) {
    return { ok: false, code: "country", reason: `${parsed.number} is a non-geographic number (+${parsed.countryCallingCode}: satellite or an international network), never dialled (toll fraud)` };
  }
  if (!parsed.country || !parsed.isValid()) return { ok: false, code: "invalid", reason: `${parsed.number} is not a valid ${parsed.country ?? `+${parsed.countryCallingCode}`} number` };
  if (parsed.country !== home && rules.countries !== "any" && !rules.countries.includes(parsed.country)) {
    return { ok: false, code: "country", reason: `${parsed.number} is an international number (${parsed.country}); add ${parsed.country} to outbound.numbers.countries to allow it` };
  }
  const type = (parsed.getType()?.toLowerCase() ?? "unknown") as NumberType;
  if (!rules.types.includes(type)) {
    return { ok: false, code: "type", reason: `${parsed.number} is a ${TYPE_WORDS[type]} number, refused (toll fraud protection); allowed: ${rules.types.map((t) => TYPE_WORDS[t]).join(", ")} (outbound.numbers.types)` };
  }
  return { ok: true, e164: parsed.number, country: parsed.country, type, national: parsed.formatNational().replace(/\D/g, "") };
}

/** The number in a trunk's dial template: {number} E.164 digits, {e164} with +, {national} as dialled at home. */
export function fillNumber(template: string, number: { e164: string; national: string }): string {
  return template.replaceAll("{number}", number.e164.slice(1)).replaceAll("{e164}", number.e164).replaceAll("{national}", number.national);
}
