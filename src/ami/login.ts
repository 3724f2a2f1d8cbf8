import { createHash } from "node:crypto";
import { AmiAuthError, AmiResponseError } from "./errors.ts";
import type { ActionFields, AmiMessage } from "./message.ts";

/**
 * Logs in with the MD5 challenge when Asterisk offers it (the secret never crosses the
 * wire), else with the plain secret. A refusal (Asterisk answers "Authentication failed"
 * after a second, then closes) becomes an AmiAuthError that never contains the secret.
 */
export async function login(send: (fields: ActionFields) => Promise<AmiMessage>, username: string, secret: string | undefined): Promise<void> {
  if (!secret) throw new AmiAuthError("no AMI secret: set ami.secret (or the environment variable it names)");
  let fields: ActionFields;
  try {
    const challenge = await send({ Action: "Challenge", AuthType: "MD5" });
    const nonce = challenge.get("Challenge") ?? "";
    fields = { Action: "Login", Username: username, AuthType: "MD5", Key: createHash("md5").update(nonce + secret).digest("hex") };
  } catch (error) {
    if (!(error instanceof AmiResponseError)) throw error;
    fields = { Action: "Login", Username: username, Secret: secret };
  }
  try {
    await send({ ...fields, Events: "on" });
  } catch (error) {
    if (error instanceof AmiResponseError) {
      throw new AmiAuthError(`AMI login as "${username}" refused (${error.response.get("Message") ?? "error"}): check ami.username and ami.secret, and permit= in manager.conf`);
    }
    throw error;
  }
}
