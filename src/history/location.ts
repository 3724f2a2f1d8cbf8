// Not node:path: a per-call process imports this before its first command.
import { dirname, isAbsolute, resolve } from "../config/posix-path.ts";
import type { DatabaseSettings } from "../config/schema.ts";

/** Where the history lives on a PBX: a directory the asterisk user (who runs per-call ivr) can write. */
export const DEFAULT_DB_PATH = "/var/lib/asterisk/ivr/ivr.sqlite";

/**
 * --db wins, then $IVR_DB (per-call processes get no flags from Asterisk), then
 * database.path (relative to the config file), then the default.
 */
export function databasePath(
  flag: string | undefined,
  settings: DatabaseSettings | undefined,
  configPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (flag) return flag;
  if (env.IVR_DB) return env.IVR_DB;
  const configured = settings?.path;
  if (configured) return isAbsolute(configured) || !configPath ? configured : resolve(dirname(configPath), configured);
  return DEFAULT_DB_PATH;
}
