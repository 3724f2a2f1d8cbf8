import { z } from "zod";
import { integer, nonEmpty, seconds } from "./fields.ts";

/** A secret as written: a literal, or ${ENV_VAR} to keep it out of the file (resolved when used). */
const amiSecret = nonEmpty;

/** A manager.conf section name: Asterisk would not read one with brackets, spaces or `;`. */
const amiUser = nonEmpty.refine((value) => /^[A-Za-z0-9_.@-]+$/.test(value), "must be a manager.conf user name (letters, digits, _ . @ -)");

/** An endpoint as it starts a channel name: `PJSIP/mtt`, `SIP/provider`, `IAX2/branch`. */
const endpoint = nonEmpty.refine((value) => /^[A-Za-z0-9]+\/\S+$/.test(value), "must be a channel technology and endpoint, e.g. PJSIP/mtt");

const regex = nonEmpty.refine((value) => {
  try {
    new RegExp(value);
    return true;
  } catch {
    return false;
  }
}, "must be a valid regular expression, e.g. ^PJSIP/(mtt|beeline)-");

/**
 * `ami:`: the Asterisk Manager Interface connection of `ivr serve` and how calls are told
 * apart. Without this section ivr serve does not connect to AMI. Direction comes from the
 * trunks (a call that came in on one is inbound, one that reached one is outbound, the rest
 * internal), never from context names.
 */
export const amiSchema = z.strictObject({
  host: nonEmpty.refine((value) => !/[\s/]/.test(value), "must be a host name or address, e.g. 127.0.0.1"),
  port: integer(1, 65_535).optional(),
  username: amiUser,
  secret: amiSecret,
  /** Trunk endpoints, matched against channel names without their `-0000001a` suffix. */
  trunks: z.array(endpoint).optional(),
  /** Or a regular expression on the whole channel name. */
  trunk_pattern: regex.optional(),
  connect_timeout_seconds: seconds(0.1, 60).optional(),
  action_timeout_seconds: seconds(0.1, 300).optional(),
  ping_interval_seconds: seconds(0.1, 300).optional(),
  ping_timeout_seconds: seconds(0.1, 60).optional(),
  reconnect_max_seconds: seconds(1, 3600).optional(),
  /** A CoreShowChannels reconciliation this often even without a reconnect (0: only after one). */
  resync_interval_seconds: seconds(0, 86_400).optional(),
  /** Events read but not yet tracked; past this the backlog is dropped and resynced. */
  queue_max_events: integer(100, 10_000_000).optional(),
  /** How far back GET /api/events can resume (Last-Event-ID). */
  event_window_seconds: seconds(1, 3600).optional(),
});

export type AmiSettings = z.infer<typeof amiSchema>;
