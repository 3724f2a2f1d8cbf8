import { z } from "zod";
import { soundName, text } from "./fields.ts";

/**
 * What a DID's callers get while its `schedule:` is closed (a menu key, so `default:` can
 * hold it for every DID):
 *
 *   closed:
 *     sound: custom/closed              # played first (default: the menu's goodbye_sound)
 *     then: voicemail 100@default       # hangup (default) | queue <name> | extension <number> | voicemail <box>[@<context>]
 *     voicemail_options: u              # VoiceMail's options (default none)
 *
 * A queue is joined with the menu's queue_options, an extension dialed as the menu dials one
 * (extension_dial, dial_timeout_seconds, dial_options).
 */
export type ClosedThen =
  | { kind: "hangup" }
  | { kind: "queue"; queue: string }
  | { kind: "extension"; extension: string }
  | { kind: "voicemail"; mailbox: string };

const THEN_SYNTAX = 'must be hangup, queue <name>, extension <number> or voicemail <box>@<context> (e.g. voicemail 100@default)';

/** Each target goes into one EXEC argument: a comma, space or | would change the application's arguments. */
export function parseClosedThen(value: string): ClosedThen | string {
  const [word, target, ...rest] = value.trim().split(/\s+/);
  if (word === "hangup" && target === undefined) return { kind: "hangup" };
  if (target === undefined || rest.length) return THEN_SYNTAX;
  if (word === "queue") return /[,|]/.test(target) ? "a queue name must not contain commas or |" : { kind: "queue", queue: target };
  if (word === "extension") return /^[0-9*#]+$/.test(target) ? { kind: "extension", extension: target } : "an extension is digits (and * #), e.g. extension 150";
  if (word === "voicemail") {
    return /^[A-Za-z0-9_.-]+(@[A-Za-z0-9_.-]+)?$/.test(target) ? { kind: "voicemail", mailbox: target } : "a mailbox is <box>@<context>, e.g. 100@default";
  }
  return THEN_SYNTAX;
}

const closedThen = z.string().transform((value, ctx) => {
  const parsed = parseClosedThen(value);
  if (typeof parsed === "string") {
    ctx.addIssue({ code: "custom", message: parsed });
    return z.NEVER;
  }
  return parsed;
});

export const closedSchema = z.strictObject({
  sound: soundName.optional(),
  then: closedThen.optional(),
  voicemail_options: text.refine((value) => !/[,|]/.test(value), "must not contain commas: it is VoiceMail's options argument").optional(),
});

export type ClosedSettings = z.infer<typeof closedSchema>;
