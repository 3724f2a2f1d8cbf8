import { type Document, isMap, isPair, isScalar, isSeq, type Node, type Pair, type YAMLMap } from "yaml";
import type { z } from "zod";
import type { ConfigIssue } from "./errors.ts";
import { configSchema } from "./schema.ts";

type Position = (offset: number | undefined) => { line?: number; col?: number };

/**
 * Turns schema problems into positioned config issues, in words an administrator reads:
 * the key path of each problem is found in the YAML nodes (one index per mapping, built
 * when first asked, so ten thousand problems in ten thousand DIDs stay linear).
 */
export class IssueLocator {
  private readonly indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly doc: Document,
    private readonly position: Position,
  ) {}

  describe(issue: z.core.$ZodIssue, raw: unknown): ConfigIssue[] {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        ...this.at([...path, key], true),
        path: [...path, key].join("."),
        message: unknownKeyMessage(key, knownKeys(path)),
      }));
    }
    let message = issue.message;
    if (issue.code === "invalid_type") {
      message = valueAt(raw, path) === undefined ? "is required" : `must be ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    }
    if (issue.code === "invalid_key") message = issue.issues[0]?.message ?? message;
    return [{ ...this.at(path, issue.code === "invalid_key"), path: path.join("."), message }];
  }

  /** The position of the node at `path`, or of the deepest part of it that exists. */
  at(path: readonly string[], pointAtKey = false): { line?: number; col?: number } {
    let node: unknown = this.doc.contents;
    let offset = (this.doc.contents as Node | null)?.range?.[0];
    for (const [i, segment] of path.entries()) {
      if (isMap(node)) {
        const pair = this.pairs(node).get(segment);
        if (!pair) break;
        const keyOffset = (pair.key as Node).range?.[0];
        const value = pair.value as Node | null;
        offset = pointAtKey && i === path.length - 1 ? keyOffset : (value?.range?.[0] ?? keyOffset);
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
    return this.position(offset);
  }

  private pairs(map: YAMLMap): Map<string, Pair> {
    let index = this.indexes.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        if (isPair(item) && isScalar(item.key) && !index.has(String(item.key.value))) index.set(String(item.key.value), item);
      }
      this.indexes.set(map, index);
    }
    return index;
  }
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

/** Through .optional(), .nullable() and .partial() wrappers, and the input side of a .transform(), to the object inside. */
function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown; in?: unknown } };
  while (current?.def && (current.def.type === "optional" || current.def.type === "nullable" || current.def.type === "pipe")) {
    current = (current.def.type === "pipe" ? current.def.in : current.def.innerType) as typeof current;
  }
  return current;
}

function unknownKeyMessage(key: string, known: string[]): string {
  // The distance is at least the difference in length: a long key is never compared whole.
  const near = known.find((candidate) => Math.abs(candidate.length - key.length) <= 2 && editDistance(candidate, key) <= 2);
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
