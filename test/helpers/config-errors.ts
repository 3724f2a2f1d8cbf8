import { ConfigError } from "../../src/config/errors.ts";
import { parseConfig } from "../../src/config/load.ts";

/** The lines of the ConfigError that `text` is refused with (as ivr.yaml); fails if it is accepted. */
export function errorsOf(text: string): string[] {
  try {
    parseConfig(text, "ivr.yaml");
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected the config to be rejected");
}
