import type { LoadedConfig } from "../config/schema.ts";
import type { Logger } from "../log.ts";
import { generatedBlock } from "../originate/dialplan.ts";
import { describeDiff } from "./block-diff.ts";
import { writeBlock } from "./dialplan-file.ts";
import { buildPlan } from "./plan.ts";

export type Regeneration = "off" | "unchanged" | "written" | "refused";

/** Runs the reload command; resolves with its exit status (null after the timeout). */
export type CommandRunner = (command: string, timeoutMs: number) => Promise<{ code: number | null; output: string }>;

export const runShell: CommandRunner = async (command, timeoutMs) => {
  const proc = Bun.spawn(["sh", "-c", command], { stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill(), timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  return { code: proc.signalCode ? null : code, output: `${stdout}${stderr}`.trim() };
};

/**
 * ivr serve's regeneration (smart.dialplan.write_on_change): the block in smart.dialplan.file
 * follows the config. A plan with errors, or a block that is not sound extensions.conf, is
 * never written (the dialplan in force stays); the reload command runs only after a change.
 * Never rejects: ivr serve chains the rewrites, and one failure must not end the chain.
 */
export async function regenerateDialplan(loaded: LoadedConfig, log: Logger, run: CommandRunner = runShell): Promise<Regeneration> {
  try {
    return await regenerate(loaded, log, run);
  } catch (error) {
    log.error(`dialplan: regeneration failed: ${error instanceof Error ? error.message : String(error)}`);
    return "refused";
  }
}

async function regenerate(loaded: LoadedConfig, log: Logger, run: CommandRunner): Promise<Regeneration> {
  const settings = loaded.config.smart?.dialplan;
  if (!settings?.write_on_change || !settings.file) return "off";
  const plan = buildPlan(loaded.config);
  for (const warning of plan.warnings) log.warn(`dialplan: ${warning}`);
  if (plan.errors.length) {
    for (const error of plan.errors) log.error(`dialplan: ${error}`);
    log.error(`dialplan: ${settings.file} not rewritten; the contexts in force stay`);
    return "refused";
  }
  let written: ReturnType<typeof writeBlock>;
  try {
    written = writeBlock(settings.file, generatedBlock(loaded.config, plan));
  } catch (error) {
    log.error(`dialplan: ${settings.file} not rewritten: ${(error as Error).message}`);
    return "refused";
  }
  if (!written.changed) return "unchanged";
  log.info(`dialplan: ${settings.file} rewritten (${describeDiff(written.diff).join("; ") || "comments"}); previous file kept as ${written.backup}`);
  if (settings.reload_command) {
    const { code, output } = await run(settings.reload_command, 10_000);
    if (code === 0) log.info(`dialplan: ran ${settings.reload_command}${output ? `: ${output}` : ""}`);
    else log.error(`dialplan: ${settings.reload_command} ${code === null ? "timed out" : `exited with ${code}`}${output ? `: ${output}` : ""}`);
  }
  return "written";
}
