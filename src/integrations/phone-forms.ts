import { parsePhoneNumberFromString } from "libphonenumber-js";
import type { PhoneMatch } from "../history/phone.ts";

/**
 * The spellings a CRM may have saved a customer's number in, most likely first: E.164
 * (+375291234567), then the national form as digits (80291234567: a contact typed as
 * "8 (029) 123-45-67"), then the number as the PBX gave it. CRMs compare digits, not
 * numbers, so each is asked for until one finds the customer.
 */
export function lookupForms(phone: PhoneMatch): string[] {
  const forms: string[] = [];
  if (phone.e164) {
    forms.push(phone.e164);
    const national = parsePhoneNumberFromString(phone.e164)?.formatNational().replace(/\D/g, "");
    if (national) forms.push(national);
  }
  forms.push(phone.raw);
  return [...new Set(forms)];
}
