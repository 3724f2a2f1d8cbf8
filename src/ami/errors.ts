import type { AmiMessage } from "./message.ts";

/**
 * What can go wrong with an action. The connection error is a sibling of the response
 * error: "Asterisk is unreachable" and "Asterisk said no" call for different handling.
 */
export class AmiError extends Error {
  override name = "AmiError";
}

/** The connection is gone (or never came): every action in flight is rejected once with this. */
export class AmiConnectionError extends AmiError {
  override name = "AmiConnectionError";
}

export class AmiTimeoutError extends AmiError {
  override name = "AmiTimeoutError";
  constructor(
    readonly action: string,
    readonly timeoutMs: number,
  ) {
    super(`no answer to ${action} within ${timeoutMs} ms`);
  }
}

/** Asterisk answered `Response: Error`; the response is kept. */
export class AmiResponseError extends AmiError {
  override name = "AmiResponseError";
  constructor(
    readonly action: string,
    readonly response: AmiMessage,
    message = `${action}: ${response.get("Message") ?? "error"}`,
  ) {
    super(message);
  }
}

/**
 * The AMI user may not run this action (Asterisk answers `Permission denied`). The message
 * names the manager.conf classes that would allow it.
 */
export class AmiPermissionError extends AmiResponseError {
  override name = "AmiPermissionError";
  constructor(action: string, response: AmiMessage, username: string, classes: readonly string[]) {
    super(
      action,
      response,
      `permission denied for ${action}: add ${classes.map((c) => `"${c}"`).join(" or ")} to write= for [${username}] in manager.conf (ivr ami --manager-conf prints the whole section)`,
    );
  }
}

/** Login refused: the username or secret is wrong, or the address is not permitted. */
export class AmiAuthError extends AmiError {
  override name = "AmiAuthError";
}

/**
 * The write classes Asterisk requires for the actions the product sends: an action is
 * allowed when the user's write= has any one of them (manager.c checks `writeperm &
 * authority`). Ping, Challenge, Login, Logoff need none.
 */
export const ACTION_CLASSES: Record<string, readonly string[]> = {
  CoreShowChannels: ["reporting", "system"],
  Originate: ["originate"],
  Hangup: ["system", "call"],
};
