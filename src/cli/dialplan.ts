import { loadConfigFile } from "../config/load.ts";
import { schedulesDialplan } from "../schedules/gotoiftime.ts";
import { generatedBlock } from "../originate/dialplan.ts";
import { describeDiff } from "../smart/block-diff.ts";
import { checkExtensionsConf } from "../smart/dialplan-check.ts";
import { assertSoundBlock, planBlockWrite, writeBlock } from "../smart/dialplan-file.ts";
import { agiHook, curlGosub } from "../smart/hooks.ts";
import { MARKER } from "../smart/markers.ts";
import { buildPlan } from "../smart/plan.ts";
import { CommandFailure, parseFlags, UsageError } from "./args.ts";
import { locateConfig, orCommandFailure } from "./load-config.ts";
import { writeOut } from "./stdout.ts";

/**
 * `ivr dialplan`: the Smart Redirect contexts for extensions.conf. Prints the block, or with
 * --write FILE puts it between the markers; --check says whether FILE is up to date;
 * --hooks prints what to paste into the inbound context instead of Macro(getcustomerdata);
 * --schedules prints the schedules as GotoIfTime lines.
 */
export async function runDialplan(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: "string" },
    enterprise: { type: "string" },
    write: { type: "string" },
    check: { type: "boolean" },
    hooks: { type: "boolean" },
    schedules: { type: "boolean" },
  });
  if (values.schedules && (values.write !== undefined || values.check || values.hooks || values.enterprise !== undefined)) {
    throw new UsageError("--schedules prints the schedules' contexts on their own: it takes no --write, --check, --hooks or --enterprise");
  }
  const location = locateConfig(values.config);
  const { config } = orCommandFailure(() => loadConfigFile(location.path));
  const server = config.server ?? {};

  if (values.schedules) {
    const schedules = config.schedules ?? {};
    if (!Object.keys(schedules).length) throw new CommandFailure(`error: ${location.path} has no schedules: section`);
    await writeOut(`${schedulesDialplan(schedules).join("\n")}\n`);
    return 0;
  }

  if (values.hooks) {
    if (values.enterprise !== undefined && !Object.hasOwn(config.smart?.enterprises ?? {}, values.enterprise)) {
      throw new CommandFailure(`error: no enterprise "${values.enterprise}" under smart.enterprises`);
    }
    const lines = [...agiHook(server.fastagi ?? "127.0.0.1:4573", values.enterprise), "", ...curlGosub(server.http ?? "127.0.0.1:8021")];
    // The hook goes into the administrator's inbound context: checked as if it were in one.
    const problems = checkExtensionsConf(["[inbound]", ...lines].join("\n"));
    if (problems.length) throw new CommandFailure(`error: the hooks would not be valid extensions.conf:\n  ${problems.join("\n  ")}`);
    await writeOut(`${lines.join("\n")}\n`);
    return 0;
  }

  const plan = buildPlan(config, values.enterprise);
  for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`);
  if (plan.errors.length) throw new CommandFailure(plan.errors.map((error) => `error: ${error}`).join("\n"));
  const block = generatedBlock(config, plan);
  // What --write would refuse is never printed either (nor compared by --check).
  orFailure(() => assertSoundBlock(block, "nothing printed"));
  const count = plan.lines.reduce((n, line) => n + line.contexts.length, 0);
  const outbound = config.outbound ? `, and the outbound context [${config.outbound.context ?? "ivr-outbound"}]` : "";
  const summary = plan.lines.length
    ? `${count} contexts for ${plan.lines.length} line${plan.lines.length === 1 ? "" : "s"}${outbound}`
    : outbound
      ? `no line has Smart Redirect${outbound}`
      : "no line has Smart Redirect: the block is empty";

  const file = values.write ?? (values.check ? config.smart?.dialplan?.file : undefined);
  if (values.check) {
    if (!file) throw new UsageError("--check needs the file: --write FILE, or smart.dialplan.file in the config");
    const { before, after, diff } = orFailure(() => planBlockWrite(file, block));
    if (before === after) {
      await writeOut(`${file}: up to date (${summary})\n`);
      return 0;
    }
    await writeOut(`${file}: out of date\n${describeDiff(diff).map((line) => `  would have ${line}`).join("\n") || "  the block's text differs"}\n`);
    return 1;
  }
  if (file) {
    const result = orFailure(() => writeBlock(file, block));
    if (!result.changed) {
      await writeOut(`${file}: unchanged (${summary})\n`);
      return 0;
    }
    const lines = [`${file}: Smart Redirection block ${result.markersAdded ? "added at the end" : "updated"} (${summary}); the previous file is ${result.backup}`];
    lines.push(...describeDiff(result.diff).map((line) => `  ${line}`));
    lines.push('Reload the dialplan: asterisk -rx "dialplan reload"');
    await writeOut(`${lines.join("\n")}\n`);
    return 0;
  }
  await writeOut(`${[MARKER, ...block, MARKER].join("\n")}\n`);
  process.stderr.write(`${summary}\n`);
  return 0;
}

function orFailure<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new CommandFailure((error as Error).message);
  }
}
