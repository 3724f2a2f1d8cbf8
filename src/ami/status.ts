import type { AmiMessage } from "./message.ts";

/** What an AmiClient reports: its state for /health, and the events it publishes on its bus. */

export type AmiState = "stopped" | "connecting" | "logging-in" | "connected" | "waiting";

export interface AmiStatus {
  state: AmiState;
  /** When the current state began. */
  since: number;
  connectedSince: number | null;
  lastEventAt: number | null;
  /** The AMI protocol version from the banner (Asterisk 22 says 11.0.0). */
  amiVersion: string | null;
  /** Successful logins after the first. */
  reconnects: number;
  /** Connection attempts that failed since the last stable connection. */
  failures: number;
  lastError: string | null;
  authFailed: boolean;
  nextAttemptAt: number | null;
  fullyBooted: boolean;
  unmatchedResponses: number;
}

export interface AmiClientEvents extends Record<string, unknown> {
  /** An event (not a list item of an action of ours), as soon as it is read. */
  event: { message: AmiMessage; receivedAt: number };
  /**
   * Logged in and Asterisk fully booted (or we stopped waiting for it): time to resync.
   * `login` counts the logins of this client (1 for the first); a later FullyBooted in the
   * same session (Asterisk finished booting) comes again with the same number.
   */
  ready: { fullyBooted: boolean; at: number; login: number };
  /** The connection ended; events may have been missed from `at` until the next ready. */
  disconnected: { reason: string; at: number; wasConnected: boolean };
  /** A message was refused by the framing limits: one event at least is lost. */
  lost: { reason: string; at: number };
}
