import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node, type Pair } from "yaml";

/** A problem found while turning the YAML into values, at a byte offset of the text. */
export interface ValueIssue {
  offset: number | undefined;
  message: string;
}

/** A config nests a few levels; anything this deep is a mistake or an attack, never a menu. */
const MAX_DEPTH = 64;
/** Aliases may multiply the values of a small file up to this many at least. */
const MIN_VALUE_BUDGET = 100_000;

class Refused extends Error {
  constructor(readonly issue: ValueIssue) {
    super(issue.message);
  }
}

/**
 * The document as plain values, in one pass over the YAML nodes, in time linear in the text
 * (yaml's own toJS checks duplicate keys with a scan of the map per key, and refuses more
 * than 100 uses of one alias):
 * - scalars stay the strings typed (the failsafe schema: see fields.ts); in a mapping,
 *   an empty value, `~` and `null` mean "not set" and the key is left out, except for the
 *   entries directly under `dids:` (an empty DID entry still exists, as null);
 * - an alias stands for its anchor's value (the same object, not a copy), and a `<<` key
 *   merges mappings into its own (its own keys win), as administrators write shared menus;
 * - what aliases expand to is counted: more values than the file's size in bytes (and at
 *   least 100,000) is refused at the alias, so a "billion laughs" file costs nothing;
 * - duplicate keys, keys that are not plain values, unknown or self-containing aliases and
 *   absurd nesting are refused with their positions.
 */
export function yamlValues(doc: Document, textLength: number): { value: unknown; issues: ValueIssue[] } {
  const converter = new Converter(Math.max(MIN_VALUE_BUDGET, textLength));
  try {
    return { value: converter.value(doc.contents as Node | null, 0), issues: converter.issues };
  } catch (error) {
    if (error instanceof Refused) return { value: undefined, issues: [...converter.issues, error.issue] };
    throw error;
  }
}

interface Converted {
  value: unknown;
  /** How many values it stands for, aliases expanded. */
  size: number;
}

class Converter {
  readonly issues: ValueIssue[] = [];
  /** The latest node with each anchor, in document order: an alias names the last one before it. */
  private readonly anchors = new Map<string, Node>();
  private readonly done = new Map<Node, Converted>();
  private readonly inProgress = new Set<Node>();
  private expanded = 0;

  constructor(private readonly budget: number) {}

  value(node: Node | null, depth: number, keepNullEntries = false): unknown {
    return this.convert(node, depth, keepNullEntries).value;
  }

  private convert(node: Node | null | undefined, depth: number, keepNullEntries = false): Converted {
    if (node === null || node === undefined) return { value: null, size: 1 };
    if (depth > MAX_DEPTH) throw new Refused({ offset: node.range?.[0], message: `nested more than ${MAX_DEPTH} levels deep` });
    if (isAlias(node)) return this.alias(node.source, node.range?.[0]);
    if (node.anchor) {
      this.anchors.set(node.anchor, node);
      this.inProgress.add(node);
    }
    const converted = isMap(node)
      ? this.map(node.items, depth, keepNullEntries)
      : isSeq(node)
        ? this.seq(node.items as Array<Node | Pair | null>, depth)
        : { value: isScalar(node) ? scalarText(node.value) : null, size: 1 };
    if (node.anchor) {
      this.inProgress.delete(node);
      this.done.set(node, converted);
    }
    return converted;
  }

  private alias(name: string, offset: number | undefined): Converted {
    const source = this.anchors.get(name);
    if (!source) throw new Refused({ offset, message: `alias *${name} has no anchor &${name} before it` });
    if (this.inProgress.has(source)) throw new Refused({ offset, message: `alias *${name} is inside the value it names` });
    const converted = this.done.get(source)!;
    this.expanded += converted.size;
    if (this.expanded > this.budget) {
      throw new Refused({
        offset,
        message: `aliases expand this file to more than ${this.budget.toLocaleString("en-US")} values, far more than its size explains (a "billion laughs" file?)`,
      });
    }
    return converted;
  }

  private map(items: readonly Pair[], depth: number, keepNullEntries: boolean): Converted {
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    const merges: Converted[] = [];
    let size = 1;
    for (const pair of items) {
      const keyNode = pair.key as Node | null;
      const key = this.key(keyNode, depth);
      if (key === "<<" && isScalar(keyNode) && keyNode.type === "PLAIN") {
        merges.push(...this.mergeSources(pair.value as Node | null, depth));
        continue;
      }
      if (seen.has(key)) {
        this.issues.push({ offset: keyNode?.range?.[0], message: `the key "${key}" appears twice in this mapping: keep one` });
        continue;
      }
      seen.add(key);
      const valueNode = pair.value as Node | null;
      const converted = this.convert(valueNode, depth + 1, depth === 0 && key === "dids");
      size += converted.size;
      if (isUnset(valueNode, converted.value) && !keepNullEntries) continue;
      define(out, key, isUnset(valueNode, converted.value) ? null : converted.value);
    }
    // Merged keys never override the mapping's own, and the first merged mapping wins.
    for (const merged of merges) {
      for (const [key, value] of Object.entries(merged.value as Record<string, unknown>)) {
        if (seen.has(key)) continue;
        seen.add(key);
        define(out, key, value);
      }
      size += merged.size;
    }
    return { value: out, size };
  }

  private mergeSources(node: Node | null, depth: number): Converted[] {
    const sources = isSeq(node) ? (node.items as Array<Node | null>) : [node];
    return sources.map((source) => {
      const converted = this.convert(source, depth + 1);
      if (!isPlainObject(converted.value)) {
        throw new Refused({ offset: (source ?? node)?.range?.[0], message: "<< merges mappings: give it an alias of a mapping (<<: *name) or a list of them" });
      }
      return converted;
    });
  }

  private key(node: Node | null, depth: number): string {
    if (node === null) return "";
    const converted = isAlias(node) ? this.alias(node.source, node.range?.[0]) : isScalar(node) ? this.convert(node, depth + 1) : undefined;
    if (converted && typeof converted.value === "string") return converted.value;
    throw new Refused({ offset: node.range?.[0], message: "a key must be a plain value, not a list or a mapping" });
  }

  private seq(items: ReadonlyArray<Node | Pair | null>, depth: number): Converted {
    let size = 1;
    const out = items.map((item) => {
      // `[a: 1]`: a flow sequence entry with a colon is a one-pair mapping.
      const converted = isPair(item) ? this.map([item], depth + 1, false) : this.convert(item, depth + 1);
      size += converted.size;
      return converted.value;
    });
    return { value: out, size };
  }
}

function scalarText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : String(value);
}

/** `key:`, `key: ~` and `key: null`: not set, as in ordinary YAML ("" or "null" in quotes stay text). */
function isUnset(node: Node | null, value: unknown): boolean {
  if (value === null) return true;
  return isScalar(node) && node.type === "PLAIN" && /^(|~|null|Null|NULL)$/.test(String(value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Sets a key as data: `__proto__` in a config is a key like any other, never a prototype. */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
