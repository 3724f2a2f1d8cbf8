import { existsSync } from "node:fs";
import { dirname, inDirectory } from "./posix-path.ts";

/** Where the Rust seed looked for its config, in its order; kept so existing installs keep working. */
export const SEARCH_PATHS = [
  "/var/lib/asterisk/agi-bin/config.yaml",
  "/var/lib/asterisk/agi-bin/ivr-config.yaml",
  "/etc/asterisk/ivr-config.yaml",
  "/usr/local/etc/asterisk/ivr-config.yaml",
  "./config.yaml",
  "/opt/rust-project/rust-dialplan/config.yaml",
];

export interface ConfigLocation {
  path: string;
  /** How it was chosen, for the log line. */
  how: "--config" | "$IVR_CONFIG" | "beside the binary" | "search path";
}

/**
 * Which config file to use: --config, then $IVR_CONFIG, then config.yaml beside the
 * compiled binary (installed somewhere other than agi-bin, it still finds its config),
 * then the seed's search path. An explicit choice is returned even if the file is missing,
 * so the error names the file the administrator asked for.
 */
export function findConfig(flag?: string, env: NodeJS.ProcessEnv = process.env): ConfigLocation | undefined {
  if (flag) return { path: flag, how: "--config" };
  if (env.IVR_CONFIG) return { path: env.IVR_CONFIG, how: "$IVR_CONFIG" };
  const beside = binaryDir();
  if (beside && existsSync(inDirectory(beside, "config.yaml"))) return { path: inDirectory(beside, "config.yaml"), how: "beside the binary" };
  const found = SEARCH_PATHS.find((path) => existsSync(path));
  return found ? { path: found, how: "search path" } : undefined;
}

/** The compiled binary's directory; undefined when running from source under bun. */
function binaryDir(): string | undefined {
  // In a compiled binary, modules live in Bun's embedded file system (/$bunfs/).
  return import.meta.path.startsWith("/$bunfs/") ? dirname(process.execPath) : undefined;
}

export function describeSearch(): string {
  return `--config, $IVR_CONFIG, config.yaml beside the binary, ${SEARCH_PATHS.join(", ")}`;
}
