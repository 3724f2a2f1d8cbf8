import { AgiArgumentError } from "./errors.ts";

/**
 * Command arguments as res_agi.c's parse_args reads them: split on spaces and tabs, `"`
 * toggles quoting (an opening quote after white space starts an argument, so `""` is an
 * empty one), `\` makes the next character literal.
 */

/** An argument always sent in quotes: escape digits, values, messages. */
export function quoted(value: string): string {
  refuseLineBreaks(value);
  return `"${value.replace(/["\\]/g, "\\$&")}"`;
}

/** An argument sent bare when it can be, so transcripts read like Asterisk's own examples. */
export function arg(value: string): string {
  refuseLineBreaks(value);
  return value !== "" && !/[\s"\\]/.test(value) ? value : quoted(value);
}

/** A word that is part of the command's syntax (variable names, contexts): no quoting can help it. */
export function word(value: string, what: string): string {
  refuseLineBreaks(value);
  if (value === "" || /[\s"\\]/.test(value)) {
    throw new AgiArgumentError(`${what} must be one word without quotes or backslashes: ${JSON.stringify(value)}`);
  }
  return value;
}

function refuseLineBreaks(value: string): void {
  // A CR or LF would end the command early and let the rest run as another command.
  if (/[\r\n\0]/.test(value)) {
    throw new AgiArgumentError(`argument contains a line break or NUL: ${JSON.stringify(value)}`);
  }
}
