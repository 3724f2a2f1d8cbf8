import { ConfigError } from "../config/errors.ts";
import { describeSearch, findConfig, type ConfigLocation } from "../config/paths.ts";

/** A config problem reported on the command line: the lines go to stderr, exit status 1. */
export class ConfigFailure extends Error {
  override name = "ConfigFailure";
}

/** The config file for a command, or a ConfigFailure saying where we looked. */
export function locateConfig(flag: string | undefined): ConfigLocation {
  const location = findConfig(flag);
  if (!location) throw new ConfigFailure(`no config file found (looked at ${describeSearch()}); give one with --config`);
  return location;
}

/** Runs `load`, turning a ConfigError into a ConfigFailure with every positioned problem. */
export function orConfigFailure<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigFailure(error.message);
    throw error;
  }
}
