import { z } from "zod";
import { amiSchema } from "./ami-schema.ts";
import { closedSchema } from "./closed-schema.ts";
import { hostPort, integer, nonEmpty, seconds, soundName, text } from "./fields.ts";
import { integrationsSchema } from "./integrations-schema.ts";
import { scheduleName, schedulesSchema } from "./schedules-schema.ts";
import { outboundSchema } from "./outbound-schema.ts";
import { cidr, country, secret, smartSchema } from "./smart-schema.ts";

/** One DTMF key a caller can press to reach a queue. `#` ends input, so it cannot be one. */
const queueKey = z.string().regex(/^[0-9*]$/, "a queue key must be one digit 0-9 or *");

/** Goes into `EXEC Queue <name>[,<options>]`: a comma or space would change the arguments. */
const queueName = nonEmpty.refine((name) => !/[\s,|]/.test(name), "a queue name must not contain spaces, commas or |");

/** The Dial options argument (third of Dial): a comma would shift Dial's arguments. */
const dialOptions = text.refine((value) => !value.includes(","), "must not contain commas: it is Dial's options argument");

/** What Dial calls for an extension, with {ext} where the digits go. */
const dialTemplate = nonEmpty
  .refine((value) => value.includes("{ext}"), "must contain {ext}, e.g. PJSIP/{ext}")
  .refine((value) => !/[\s,]/.test(value), "must not contain spaces or commas: it is Dial's first argument");

/** Asterisk-style extension patterns: `_1XX`, `_2[0-4]X`, or a literal number. */
const extensionPattern = nonEmpty.refine(
  (value) => /^_?([0-9XZNxzn]|\[[0-9-]+\])+$/.test(value),
  "must be a number or a pattern such as _1XX (X any digit, Z 1-9, N 2-9, [1-5] a range)",
);

/** Every key a menu may have; a DID entry may omit any of them (they come from `default`). */
export const menuSchema = z
  .strictObject({
    welcome_sound: soundName,
    invalid_sound: soundName,
    goodbye_sound: soundName,
    queues: z.record(queueKey, queueName),
    min_extension_digits: integer(1, 20),
    max_extension_digits: integer(0, 20),
    extension_timeout_seconds: seconds(0.5, 60),
    dial_timeout_seconds: integer(0, 86_400),
    dial_options: dialOptions,
    extension_dial: dialTemplate,
    extension_patterns: z.array(extensionPattern),
    queue_options: text,
    max_attempts: integer(1, 10),
    input_timeout_seconds: seconds(0.5, 60),
    /** A Smart Redirect enterprise: returning callers go to their manager before the menu. */
    smart: nonEmpty,
    /** A schedule under schedules:; outside its hours the caller gets `closed` instead of the menu. */
    schedule: scheduleName,
    closed: closedSchema,
  })
  .partial();

const serverSchema = z
  .strictObject({
    fastagi: hostPort,
    /** The HTTP API (Smart Redirect, calls, metrics). */
    http: hostPort,
    /** Bearer token for /api/calls, /api/stats, /api/smart/test and cache/clear. */
    admin_token: secret,
    /** Proxies (e.g. nginx) whose X-Forwarded-For is believed when they connect. */
    trusted_proxies: z.array(cidr),
    max_sessions: integer(1, 100_000),
    session_idle_timeout_seconds: seconds(0.1, 86_400),
    max_session_seconds: seconds(1, 7 * 86_400),
    shutdown_grace_seconds: seconds(0, 3600),
    log_level: z.enum(["debug", "info", "warn", "error"], { error: "must be debug, info, warn or error" }),
  })
  .partial();

const databaseSchema = z
  .strictObject({
    /** The SQLite file; relative paths are relative to the config file. */
    path: nonEmpty,
    /** Calls and decisions older than this are deleted; 0 keeps them forever. */
    retention_days: integer(0, 36_500),
  })
  .partial();

const didKey = z.string().regex(/^[^\s]+$/, "a DID must not contain spaces");

export const configSchema = z.strictObject({
  /** The PBX's country: numbers without + are read as its national numbers (E.164 in history). */
  country: country.optional(),
  default: menuSchema.optional(),
  dids: z.record(didKey, menuSchema.nullable()).optional(),
  server: serverSchema.optional(),
  database: databaseSchema.optional(),
  smart: smartSchema.optional(),
  ami: amiSchema.optional(),
  integrations: integrationsSchema.optional(),
  schedules: schedulesSchema.optional(),
  outbound: outboundSchema.optional(),
});

export type MenuSettings = z.infer<typeof menuSchema>;
export type IvrConfig = z.infer<typeof configSchema>;
export type ServerSettings = NonNullable<IvrConfig["server"]>;
export type DatabaseSettings = NonNullable<IvrConfig["database"]>;

/** A config and the file it came from (relative paths in it are relative to that file). */
export interface LoadedConfig {
  config: IvrConfig;
  /** undefined for the built-in defaults. */
  path: string | undefined;
}
