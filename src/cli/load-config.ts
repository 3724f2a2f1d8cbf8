import { ConfigError } from "../config/errors.ts";
import { describeSearch, findConfig, type ConfigLocation } from "../config/paths.ts";
import { CommandFailure } from "./args.ts";

/** The config file for a command, or a CommandFailure saying where we looked. */
export function locateConfig(flag: string | undefined): ConfigLocation {
  const location = findConfig(flag);
  if (!location) throw new CommandFailure(`no config file found (looked at ${describeSearch()}); give one with --config`);
  return location;
}

/** Runs `load`, turning a ConfigError into a CommandFailure with every positioned problem. */
export function orCommandFailure<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) throw new CommandFailure(error.message);
    throw error;
  }
}
