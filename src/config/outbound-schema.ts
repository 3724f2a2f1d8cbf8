import { z } from "zod";
import { hostPort, integer, nonEmpty, seconds, soundName, text } from "./fields.ts";
import { country, secret } from "./smart-schema.ts";

/**
 * `outbound:`: click-to-call, callbacks and campaigns, placed with AMI Originate into the
 * context `ivr dialplan` generates. Every value here ends up in an Originate header or a
 * Dial argument: what would let it reach further than that is refused here.
 */

/** A name that becomes part of a context, a metric label or a URL: a plain token. */
const token = nonEmpty.refine((value) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(value), "must be letters, digits, _ . - (at most 64), starting with a letter or digit");

/** A dialplan context name, as it appears in [brackets]. */
const context = nonEmpty.refine((value) => /^[A-Za-z0-9_.+-]+$/.test(value), "must be a dialplan context name (letters, digits, _ - . +)");

/**
 * A channel to dial: Originate's Channel header and Dial's first argument. `$` and brackets
 * would be evaluated by the dialplan when it is dialled from the AGI; a comma would start
 * Dial's next argument; `&` would ring more than one channel.
 */
function channelTemplate(placeholders: readonly string[], example: string) {
  return nonEmpty
    .refine((value) => placeholders.some((p) => value.includes(p)), `must contain ${placeholders.join(" or ")}, e.g. ${example}`)
    .refine((value) => /^[A-Za-z0-9]+\/[A-Za-z0-9_.@{}+/=:-]+$/.test(value), `must be a channel such as ${example}: technology/resource, without spaces, commas, & or $`);
}

/** Q.850-ish outcomes a retry can be asked for. */
export const RETRYABLE = ["busy", "no_answer", "congestion", "failed"] as const;

const retryRule = z.strictObject({
  /** Attempts in all, the first included. */
  attempts: integer(1, 20),
  interval_seconds: seconds(1, 7 * 86_400),
});

/** `queue 10001` or `extension 150`: where key 0 of a campaign's menu puts the customer. */
const transferTarget = nonEmpty.refine((value) => /^(queue [^\s,|]+|extension [0-9]{2,15})$/.test(value.trim()), 'must be "queue NAME" or "extension NUMBER", e.g. queue 10001');

const eventName = nonEmpty.refine((value) => /^[a-z][a-z0-9_.-]{0,63}$/.test(value), "an event name is lower case letters, digits, _ . - (e.g. donation_requested)");

/** What one key of a campaign's menu does; one of event, opt_out, transfer, hangup (event may go with the others). */
const keyAction = z
  .strictObject({
    event: eventName.optional(),
    opt_out: z.string().regex(/^(true|yes)$/i, "opt_out takes true").optional(),
    transfer: transferTarget.optional(),
    hangup: z.string().regex(/^(true|yes)$/i, "hangup takes true").optional(),
    /** Played after the key, before the action (a thank-you, an opt-out confirmation). */
    sound: soundName.optional(),
  })
  .refine((action) => action.event || action.opt_out || action.transfer || action.hangup, "a key needs at least one of event, opt_out, transfer, hangup")
  .refine((action) => !(action.opt_out && action.transfer), "a key cannot both opt the number out and transfer it");

const campaignSchema = z.strictObject({
  /** The message played when the customer answers; keys interrupt it. */
  sound: soundName,
  actions: z.record(z.string().regex(/^[0-9*#]$/, "a key is one of 0-9 * #"), keyAction).optional(),
  invalid_sound: soundName.optional(),
  goodbye_sound: soundName.optional(),
  /** How often the message is played when no key (or an invalid one) is pressed. */
  max_attempts: integer(1, 5).optional(),
  input_timeout_seconds: seconds(0.5, 60).optional(),
  trunk: token.optional(),
  caller_id: text.optional(),
  /** Calls of this campaign in progress at once. */
  concurrency: integer(1, 1000).optional(),
  /** The pace: new calls per second (0.1 is one every ten seconds). */
  calls_per_second: seconds(0.001, 1000).optional(),
  retry: z.partialRecord(z.enum(RETRYABLE, { error: `retry is by outcome: ${RETRYABLE.join(", ")}` }), retryRule).optional(),
  /** A schedule of the schedules: section: no call outside its hours. */
  schedule: token.optional(),
  enterprise: token.optional(),
});

const trunkSchema = z.strictObject({
  /** {number}: E.164 digits without +; {e164}: with +; {national}: as dialled inside the country. */
  dial: channelTemplate(["{number}", "{e164}", "{national}"], "PJSIP/{number}@mtt"),
  caller_id: text.optional(),
  max_concurrent: integer(1, 10_000).optional(),
  calls_per_second: seconds(0.001, 1000).optional(),
});

export const NUMBER_TYPES = ["fixed_line", "mobile", "fixed_line_or_mobile", "toll_free", "premium_rate", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail", "unknown"] as const;

const numbersSchema = z.strictObject({
  /** Number types that may be dialled (libphonenumber's); the rest are refused (toll fraud). */
  types: z.array(z.enum(NUMBER_TYPES, { error: `a number type is one of ${NUMBER_TYPES.join(", ")}` })).optional(),
  /** Countries besides the enterprise's own that may be dialled; none by default. */
  countries: z.array(country).optional(),
});

const clientSchema = z.strictObject({
  /** Bearer token of POST /api/originate for this client only (16+ characters, or ${ENV_VAR}). */
  token: secret,
  kinds: z.array(z.enum(["click-to-call", "callback", "message"], { error: "a kind is click-to-call, callback or message" })).optional(),
});

export const outboundSchema = z.strictObject({
  /** The context Originate lands in; `ivr dialplan` generates it. */
  context: context.optional(),
  /** Where that context's AGI() reaches ivr serve (default: server.fastagi, else 127.0.0.1:4573). */
  fastagi: hostPort.optional(),
  country: country.optional(),
  trunks: z.record(token, trunkSchema).refine((trunks) => Object.keys(trunks).length > 0, "at least one trunk is needed"),
  /** The trunk used when a request or campaign names none (default: the first). */
  trunk: token.optional(),
  /** The manager's phone, rung first by click-to-call and reached by callbacks to an extension. */
  extension_dial: channelTemplate(["{ext}"], "PJSIP/{ext}").optional(),
  ring_timeout_seconds: integer(5, 300).optional(),
  /** Dial()'s options when the AGI dials the customer (click-to-call) or an extension. */
  dial_options: text.refine((value) => /^[A-Za-z()0-9]*$/.test(value), "Dial options are letters (and their arguments in brackets)").optional(),
  numbers: numbersSchema.optional(),
  callbacks: z
    .strictObject({
      /** No callback is dialled outside this schedule's hours; one asked for at night waits for the opening. */
      schedule: token.optional(),
      /** Queues a callback may be connected to; any when absent. */
      queues: z.array(nonEmpty.refine((value) => !/[\s,|]/.test(value), "a queue name has no spaces, commas or |")).optional(),
    })
    .optional(),
  clients: z.record(token, clientSchema).optional(),
  campaigns: z.record(token, campaignSchema).optional(),
  /**
   * Asterisk refuses Originate into an application such as AGI without write=system
   * (manager.c): ivr never does it. Named here so the refusal says why.
   */
  application: z
    .unknown()
    .refine(() => false, "ivr originates into the context it generates (ivr dialplan), never into an application: Originate with an application such as AGI needs write=system in manager.conf. Remove outbound.application")
    .optional(),
});

export type OutboundSettings = z.infer<typeof outboundSchema>;
export type TrunkSettings = z.infer<typeof trunkSchema>;
export type CampaignSettings = z.infer<typeof campaignSchema>;
export type KeyAction = z.infer<typeof keyAction>;
export type NumberType = (typeof NUMBER_TYPES)[number];
