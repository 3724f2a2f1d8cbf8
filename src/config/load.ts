import { readFileSync } from "node:fs";
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument, visit } from "yaml";
import type { z } from "zod";
import { ConfigError, type ConfigIssue } from "./errors.ts";
import { crossCheck } from "./menu.ts";
import { smartProblems } from "./smart-check.ts";
import { configSchema, type IvrConfig } from "./schema.ts";

/**
 * Reads and validates a config file. Imports yaml and zod, so the per-call path loads this
 * module only when the file has changed (see per-call.ts).
 */
export function loadConfigFile(path: string): { config: IvrConfig; text: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new ConfigError(path, [{ path: "", message: `cannot read the config: ${reason}` }]);
  }
  return { config: parseConfig(text, path), text };
}

/** Parses config text; throws ConfigError with every problem and its position. */
export function parseConfig(text: string, file: string): IvrConfig {
  const lineCounter = new LineCounter();
  // failsafe: every scalar stays the string the administrator typed (see fields.ts).
  const doc = parseDocument(text, { schema: "failsafe", lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => (offset === undefined ? {} : lineCounter.linePos(offset));
  if (doc.errors.length) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => ({ ...at(error.pos[0]), path: "", message: yamlMessage(error.message) })),
    );
  }
  markNulls(doc);
  const raw = dropNulls(doc.toJS() ?? {}, []);
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(file, result.error.issues.flatMap((issue) => describe(issue, raw, doc, at)));
  }
  const problems = [...crossCheck(result.data), ...smartProblems(result.data)];
  if (problems.length) {
    throw new ConfigError(
      file,
      problems.map((problem) => ({ ...at(locate(doc, problem.path)), path: problem.path.join("."), message: problem.message })),
    );
  }
  return result.data;
}

/** `key:`, `key: ~` and `key: null` mean "not set", as in ordinary YAML. */
function markNulls(doc: Document): void {
  visit(doc, {
    Pair(_, pair) {
      const value = pair.value;
      if (isScalar(value) && value.type === "PLAIN" && /^(|~|null|Null|NULL)$/.test(String(value.value ?? ""))) {
        pair.value = null;
      }
    },
  });
}

/** Drops unset keys so they fall back to defaults, except DID entries: an empty DID still exists. */
function dropNulls(value: unknown, path: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => dropNulls(item, [...path, String(i)]));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  const keepNull = path.length === 1 && path[0] === "dids";
  for (const [key, item] of Object.entries(value)) {
    if (item === null && !keepNull) continue;
    out[key] = dropNulls(item, [...path, key]);
  }
  return out;
}

type Locate = (offset: number | undefined) => { line?: number; col?: number };

function describe(issue: z.core.$ZodIssue, raw: unknown, doc: Document, at: Locate): ConfigIssue[] {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      ...at(locate(doc, [...path, key], true)),
      path: [...path, key].join("."),
      message: unknownKeyMessage(key, knownKeys(path)),
    }));
  }
  let message = issue.message;
  if (issue.code === "invalid_type") {
    message = valueAt(raw, path) === undefined ? "is required" : `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
  }
  if (issue.code === "invalid_key") message = issue.issues[0]?.message ?? message;
  return [{ ...at(locate(doc, path, issue.code === "invalid_key")), path: path.join("."), message }];
}

const TYPE_WORDS: Record<string, string> = {
  object: "a mapping of keys (key: value lines)",
  record: "a mapping of keys (key: value lines)",
  string: "a single value, not a list or mapping",
  array: "a list (lines starting with - , or [a, b])",
};

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** The offset of the node at `path`, or of the deepest part of it that exists. */
function locate(doc: Document, path: readonly string[], pointAtKey = false): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment);
      if (!pair) break;
      const keyOffset = (pair.key as Node).range?.[0];
      const value = pair.value as Node | null;
      offset = pointAtKey && segment === path.at(-1) ? keyOffset : (value?.range?.[0] ?? keyOffset);
      node = value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0];
      node = item;
    } else {
      break;
    }
  }
  return offset;
}

/** The keys allowed where an unknown one was found, for "did you mean" (by walking the schema). */
function knownKeys(path: string[]): string[] {
  let schema: unknown = configSchema;
  for (const segment of path) {
    schema = unwrap(schema);
    const def = (schema as { def?: { type?: string; shape?: Record<string, unknown>; valueType?: unknown; element?: unknown } }).def;
    if (def?.type === "object") schema = def.shape?.[segment];
    else if (def?.type === "record") schema = def.valueType;
    else if (def?.type === "array") schema = def.element;
    else return [];
  }
  const shape = (unwrap(schema) as { def?: { shape?: Record<string, unknown> } }).def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** Through .optional(), .nullable() and .partial() wrappers to the object inside. */
function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown } };
  while (current?.def && (current.def.type === "optional" || current.def.type === "nullable")) current = current.def.innerType as typeof current;
  return current;
}

function unknownKeyMessage(key: string, known: string[]): string {
  const near = known.find((candidate) => editDistance(candidate, key) <= 2);
  return near ? `unknown key "${key}" (did you mean "${near}"?)` : `unknown key "${key}" (known keys: ${known.join(", ")})`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** yaml's messages end with " at line L, column C"; the position is printed in front already. */
function yamlMessage(message: string): string {
  return `YAML syntax: ${message.replace(/ at line \d+, column \d+.*$/s, "")}`;
}
