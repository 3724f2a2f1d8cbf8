import { isScalar, LineCounter, type Node, parseDocument } from "yaml";
import { fileStamp } from "./cache.ts";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { crossCheck } from "./menu.ts";
import { readConfigText } from "./read.ts";
import { smartProblems } from "./smart-check.ts";
import { configSchema, type IvrConfig } from "./schema.ts";
import { yamlValues } from "./yaml-values.ts";
import { IssueLocator } from "./zod-issues.ts";

/**
 * Reads and validates a config file. Imports yaml and zod, so the per-call path loads this
 * module only when the file has changed (see per-call.ts).
 */
export function loadConfigFile(path: string): LoadedFile {
  const { text, stats } = readConfigText(path);
  return { config: parseConfig(text, path), stamp: fileStamp(stats), hash: Bun.hash(text).toString(16) };
}

export interface LoadedFile {
  config: IvrConfig;
  /** The identity of the file that was read (see cache.ts). */
  stamp: string;
  /** A hash of its text: a save that changed nothing is not a new config. */
  hash: string;
}

/**
 * Parses config text; throws ConfigError with every problem and its position, and nothing
 * else: whatever goes wrong inside the parser (a bug, a stack overflow on a pathological
 * file) is a problem of this config, never a crash of the daemon or a silent call.
 */
export function parseConfig(text: string, file: string): IvrConfig {
  try {
    return parse(text, file);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(file, [{ path: "", message: `cannot read the config: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}` }]);
  }
}

function parse(text: string, file: string): IvrConfig {
  const lineCounter = new LineCounter();
  // failsafe: every scalar stays the string the administrator typed (see fields.ts). Duplicate
  // keys are found by yamlValues: yaml's own check (uniqueKeys) is quadratic in a map's size.
  const doc = parseDocument(text, { schema: "failsafe", lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (offset: number | undefined) => (offset === undefined ? {} : lineCounter.linePos(offset));
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => ({ ...at(error.pos[0]), path: "", message: yamlMessage(error.message) })),
    );
  }
  if (isEmpty(doc.contents as Node | null)) {
    // Nothing but blank lines and comments: a save in progress or an accident, never a config
    // meant to replace the menus in force (an intentional "all defaults" config is `{}`).
    throw new ConfigError(file, [{ path: "", message: "the config is empty (nothing but blank lines and comments): write {} for a config of built-in defaults" }]);
  }
  const { value, issues } = yamlValues(doc, text.length);
  if (issues.length) throw new ConfigError(file, issues.map((issue) => ({ ...at(issue.offset), path: "", message: issue.message })));
  const raw = value ?? {};
  const result = configSchema.safeParse(raw);
  const locator = new IssueLocator(doc, at);
  if (!result.success) {
    throw new ConfigError(file, result.error.issues.flatMap((issue): ConfigIssue[] => locator.describe(issue, raw)));
  }
  const problems = [...crossCheck(result.data), ...smartProblems(result.data)];
  if (problems.length) {
    throw new ConfigError(
      file,
      problems.map((problem) => ({ ...locator.at(problem.path), path: problem.path.join("."), message: problem.message })),
    );
  }
  return result.data;
}

/** No document, or a lone `~` / `null`: a file with nothing in it. */
function isEmpty(contents: Node | null): boolean {
  return contents === null || (isScalar(contents) && contents.type === "PLAIN" && /^(|~|null|Null|NULL)$/.test(String(contents.value ?? "")));
}

/** yaml's messages end with " at line L, column C"; the position is printed in front already. */
function yamlMessage(message: string): string {
  return `YAML syntax: ${message.replace(/ at line \d+, column \d+.*$/s, "")}`;
}
