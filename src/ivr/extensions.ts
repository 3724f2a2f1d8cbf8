/**
 * Which digit strings are extensions. Without `extension_patterns`, any min..max digits
 * are (the seed's rule). With patterns, Asterisk-style: `_1XX` (X any digit, Z 1-9,
 * N 2-9, [1-5] or [13-5] a set), or a literal number; each pattern matches a fixed length.
 */
export interface ExtensionRule {
  min: number;
  /** 0 disables extension dialing. */
  max: number;
  patterns: readonly string[];
}

type Token = (digit: string) => boolean;

const cache = new Map<string, Token[]>();

function tokens(pattern: string): Token[] {
  let compiled = cache.get(pattern);
  if (compiled) return compiled;
  compiled = [];
  if (!pattern.startsWith("_")) {
    for (const ch of pattern) compiled.push((d) => d === ch);
  } else {
    const body = pattern.slice(1).toUpperCase();
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch === "X") compiled.push((d) => d >= "0" && d <= "9");
      else if (ch === "Z") compiled.push((d) => d >= "1" && d <= "9");
      else if (ch === "N") compiled.push((d) => d >= "2" && d <= "9");
      else if (ch === "[") {
        const end = body.indexOf("]", i);
        const set = expandSet(body.slice(i + 1, end));
        compiled.push((d) => set.has(d));
        i = end;
      } else compiled.push((d) => d === ch);
    }
  }
  cache.set(pattern, compiled);
  return compiled;
}

function expandSet(spec: string): Set<string> {
  const set = new Set<string>();
  for (let i = 0; i < spec.length; i++) {
    if (spec[i + 1] === "-" && i + 2 < spec.length) {
      for (let c = spec.charCodeAt(i); c <= spec.charCodeAt(i + 2); c++) set.add(String.fromCharCode(c));
      i += 2;
    } else set.add(spec[i]!);
  }
  return set;
}

/** How many digits a pattern matches. */
export function patternLength(pattern: string): number {
  return tokens(pattern).length;
}

function matchesPrefix(pattern: string, digits: string): boolean {
  const toks = tokens(pattern);
  if (digits.length > toks.length) return false;
  for (let i = 0; i < digits.length; i++) if (!toks[i]!(digits[i]!)) return false;
  return true;
}

const allDigits = (s: string) => /^[0-9]+$/.test(s);

/** A complete extension the IVR may dial. */
export function isExtension(digits: string, rule: ExtensionRule): boolean {
  if (rule.max === 0 || !allDigits(digits) || digits.length < rule.min || digits.length > rule.max) return false;
  return rule.patterns.length === 0 || rule.patterns.some((p) => patternLength(p) === digits.length && matchesPrefix(p, digits));
}

/** Whether more digits could still make `digits` an extension: if not, stop waiting for them. */
export function canGrow(digits: string, rule: ExtensionRule): boolean {
  if (rule.max === 0 || !allDigits(digits) || digits.length >= rule.max) return false;
  return rule.patterns.length === 0 || rule.patterns.some((p) => patternLength(p) > digits.length && matchesPrefix(p, digits));
}

/** The digits an extension can start with (escape digits for the welcome prompt). */
export function extensionFirstDigits(rule: ExtensionRule): string {
  return "0123456789".split("").filter((d) => canGrow(d, rule) || isExtension(d, rule)).join("");
}
