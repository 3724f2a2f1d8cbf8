import { statSync } from "node:fs";
import type { Logger } from "../log.ts";
import { fileStamp, readCachedConfig, writeCachedConfig } from "./cache.ts";
import { ConfigError } from "./errors.ts";
import { describeSearch, findConfig } from "./paths.ts";
import type { LoadedConfig } from "./schema.ts";

/**
 * The config for one per-call process, read fresh at every call (edits apply to the next
 * call) but parsed only when the file changed. When the file is missing or invalid, the
 * last good config is used, and without one the built-in defaults, so the call is still
 * answered; the problem is logged with its position.
 */
export async function configForCall(flag: string | undefined, log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<LoadedConfig> {
  const location = findConfig(flag, env);
  if (!location) {
    log.error(`no config file found (looked at ${describeSearch()}); using the built-in defaults`);
    return { config: {}, path: undefined };
  }
  const { path } = location;
  let stamp: string | undefined;
  try {
    stamp = fileStamp(statSync(path));
  } catch {
    stamp = undefined;
  }
  const cached = readCachedConfig(path, env);
  if (stamp && cached?.stamp === stamp) return { config: cached.config, path };

  try {
    const { loadConfigFile } = await import("./load.ts");
    const { config } = loadConfigFile(path);
    log.info(`✓ Config loaded from: ${path} (${location.how})`);
    if (stamp) writeCachedConfig(path, stamp, config, env);
    return { config, path };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.message.split("\n")) log.error(line);
    if (cached) {
      log.warn(`keeping the last good config of ${path} (validated ${cached.savedAt})`);
      return { config: cached.config, path };
    }
    log.error("no valid config to fall back on; using the built-in defaults");
    return { config: {}, path };
  }
}
