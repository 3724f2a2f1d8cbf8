import { z } from "zod";

/**
 * The config is read with YAML's failsafe schema: every scalar arrives as the string the
 * administrator typed, so `0212345678` keeps its leading zero and `yes` is not a boolean by
 * accident. These read such strings into the values the code needs, with messages in
 * words an administrator understands.
 */

const noLineBreaks = (value: string) => !/[\r\n\0]/.test(value);

export const text = z.string().refine(noLineBreaks, "must not contain line breaks");

export const nonEmpty = text.refine((value) => value.trim() !== "", "must not be empty");

export function integer(min: number, max: number) {
  return z
    .string()
    .regex(/^\s*-?\d+\s*$/, "must be a whole number")
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);
}

export function seconds(min: number, max: number) {
  return z
    .string()
    .regex(/^\s*\d+(\.\d+)?\s*$/, "must be a number of seconds, e.g. 3 or 1.5")
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max} seconds`);
}

export const boolean = z
  .string()
  .regex(/^(true|false|yes|no|on|off)$/i, "must be true or false")
  .transform((value) => /^(true|yes|on)$/i.test(value));

/** A sound as Asterisk names it: relative to its sounds directory, without the extension. */
export const soundName = nonEmpty
  .refine((name) => !/\.(wav|gsm|ulaw|alaw|sln\d*|g722|g729|mp3)$/i.test(name), "give the sound name without its extension (.wav)")
  .refine((name) => !/\s/.test(name), "must not contain spaces");

/** `HOST:PORT` for a listening address. */
export const hostPort = z
  .string()
  .regex(/^(?:\[[^\]]+\]|[^:[\]\s]+):\d{1,5}$/, "must be HOST:PORT, e.g. 127.0.0.1:4573")
  .refine((value) => Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, "the port must be at most 65535");
