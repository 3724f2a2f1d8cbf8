import { fileURLToPath } from "node:url";

/**
 * The command line that runs this program again with `args`: the compiled binary itself
 * (its modules live in Bun's embedded file system, /$bunfs/), or bun with src/main.ts when
 * running from source (ivr serve under bun, the tests).
 */
export function selfCommand(args: readonly string[]): string[] {
  if (import.meta.path.startsWith("/$bunfs/")) return [process.execPath, ...args];
  return [process.execPath, fileURLToPath(new URL("../main.ts", import.meta.url)), ...args];
}

/**
 * The environment for such a child: without AST_AGI_DIR, which would make every argument an
 * AGI argument (see main.ts) when the parent is a per-call process started by Asterisk.
 */
export function childEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && key !== "AST_AGI_DIR") out[key] = value;
  return out;
}
