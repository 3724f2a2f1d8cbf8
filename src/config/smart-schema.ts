import { z } from "zod";
import { isCountryCode } from "../history/phone.ts";
import { boolean, integer, nonEmpty, seconds, text } from "./fields.ts";
import { CRM_NAMES } from "./integrations-schema.ts";

/** An ISO 3166 country code libphonenumber knows, e.g. BY, TH, RU. */
export const country = z
  .string()
  .transform((value) => value.trim().toUpperCase())
  .refine(isCountryCode, "must be a two-letter country code such as BY, TH or RU");

/** Below this a token can be guessed; see weak-tokens.ts. */
export const STRONG_TOKEN_LENGTH = 16;

/**
 * A token we choose (server.admin_token): at least 16 characters, or ${ENV_VAR}. It guards the
 * call history and nothing outside ivr depends on it, so a short one is never necessary.
 */
export const secret = nonEmpty.refine(
  (value) => /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value) || value.length >= STRONG_TOKEN_LENGTH,
  `must be at least ${STRONG_TOKEN_LENGTH} characters, or \${ENV_VAR} to take it from the environment`,
);

/**
 * An enterprise's Smart Redirect token: any non-empty value. It is already deployed on the
 * PBXs (the macro's ID_TOKEN), so a short one cannot be refused; it is warned about instead.
 */
const enterpriseToken = nonEmpty;

/** An IPv4 or IPv6 address with an optional /prefix. */
export const cidr = z
  .string()
  .regex(/^(\d{1,3}(\.\d{1,3}){3}(\/\d{1,2})?|[0-9a-fA-F:]+(\/\d{1,3})?)$/, "must be an address or a CIDR range, e.g. 10.88.10.19/32");

/** A dialplan context name, as it appears in [brackets]. */
const context = nonEmpty.refine((value) => /^[A-Za-z0-9_.+-]+$/.test(value), "must be a dialplan context name (letters, digits, _ - . +)");

/** An internal extension ("150") or an outside number ("+375291112233"). */
const dialable = nonEmpty.refine((value) => /^\+?[0-9*#]+$/.test(value), "must be digits, with + for an outside number");

const phoneSchema = z.strictObject({
  id: integer(1, 1e12),
  number: nonEmpty.refine((value) => /^[0-9]+$/.test(value), "an internal number is digits only"),
});

const followMeStep = z.strictObject({
  rings: integer(1, 60),
  numbers: z.array(dialable).min(1, "a step needs at least one number"),
});

const userSchema = z.strictObject({
  id: integer(1, 1e12),
  name: text.optional(),
  outgoing_context: context.optional(),
  phones: z.array(phoneSchema).min(1, "a user needs at least one phone"),
  follow_me: z.array(followMeStep).optional(),
});

const lineSchema = z.strictObject({ fallback: context.optional() }).partial();

/**
 * A line as Asterisk dials it in (its EXTEN, the macro's TrunkId): it becomes the extension
 * and part of the context names of the generated dialplan, so only a plain token is allowed
 * (not `_`, which would make it a pattern, nor commas or brackets, which would inject).
 */
const lineKey = z
  .string()
  .regex(/^\+?[A-Za-z0-9][A-Za-z0-9_.-]*$/, "a line is the number Asterisk calls it by (e.g. 0001363): digits and letters, _ . -, an optional leading +");

/** An enterprise id ("0367") goes into agi://.../smart?enterprise=<id> and the dialplan's comments. */
const enterpriseId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, "an enterprise id is digits and letters, _ . - (e.g. 0367)");

export const RULES = ["last_call", "first_call", "crm"] as const;
export const MODES = ["off", "name-only", "routing+name"] as const;

const enterpriseSchema = z.strictObject({
  token: enterpriseToken,
  mode: z.enum(MODES, { error: `must be one of ${MODES.join(", ")}` }).optional(),
  rules: z.array(z.enum(RULES, { error: `a rule is one of ${RULES.join(", ")}` })).optional(),
  /** The CRMs the crm rule and the caller's name ask, primary first (integrations: configures them). */
  crm: z.array(z.enum(CRM_NAMES, { error: `a CRM is one of ${CRM_NAMES.join(", ")}` })).optional(),
  country: country.optional(),
  allow_ips: z.array(cidr).optional(),
  sla_ms: integer(10, 10_000).optional(),
  rate_limit_per_second: integer(1, 100_000).optional(),
  lines: z.record(lineKey, lineSchema.nullable()).optional(),
  users: z.array(userSchema).optional(),
  /** A schedule under schedules:: outside its hours no caller is routed to a manager (names still given). */
  schedule: nonEmpty.optional(),
});

export const smartSchema = z.strictObject({
  cache_ttl_seconds: seconds(0, 86_400).optional(),
  /** JSON lines of every decision; relative paths are relative to the config file. */
  decision_log: text.optional(),
  /** The decision log is rotated (file.1 newest) before it grows past this many MiB ... */
  decision_log_max_mb: integer(1, 1_000_000).optional(),
  /** ... or once it is this many hours old, */
  decision_log_max_age_hours: integer(1, 87_600).optional(),
  /** and this many rotated files are kept (0: none). */
  decision_log_keep: integer(0, 1000).optional(),
  dialplan: z
    .strictObject({
      technology: nonEmpty.refine((value) => /^[A-Za-z0-9]+$/.test(value), "a channel technology such as PJSIP").optional(),
      /** extensions.conf, whose Smart Redirection block `ivr dialplan --write` and ivr serve rewrite. */
      file: text.optional(),
      /** ivr serve rewrites the block in `file` at start and whenever the config changes. */
      write_on_change: boolean.optional(),
      /** Run after a rewrite that changed something, e.g. asterisk -rx "dialplan reload". */
      reload_command: text.optional(),
    })
    .optional(),
  enterprises: z.record(enterpriseId, enterpriseSchema).optional(),
});

export type SmartSettings = z.infer<typeof smartSchema>;
export type EnterpriseSettings = z.infer<typeof enterpriseSchema>;
export type SmartUser = z.infer<typeof userSchema>;
export type SmartMode = (typeof MODES)[number];
export type SmartRule = (typeof RULES)[number];
