import { parseArgs, type ParseArgsConfig } from "node:util";

/** A mistake on the command line: printed with a pointer to --help, exit status 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A command that cannot do its job (an invalid config, a missing file): the message goes to stderr, exit status 1. */
export class CommandFailure extends Error {
  override name = "CommandFailure";
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs, with its errors turned into UsageError and --help always accepted. */
export function parseFlags<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function parseSeconds(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`${flag} takes a number of seconds above 0, not "${value}"`);
  return seconds;
}

export function parseCount(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count <= 0) throw new UsageError(`${flag} takes a whole number above 0, not "${value}"`);
  return count;
}

/** "HOST:PORT", ":PORT" (default host) or "[v6]:PORT". */
export function parseHostPort(value: string, defaultHost: string, flag: string): { hostname: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`${flag} takes HOST:PORT (e.g. 127.0.0.1:4573), not "${value}"`);
  return { hostname: match[1] ?? (match[2] || defaultHost), port };
}
