/**
 * The README's walkthrough as data: the fenced blocks after `<!-- walkthrough: KIND ... -->`
 * markers, and a matcher for the output they show.
 */

export interface Walkthrough {
  /** The commands of the block run in the background (the server), one per line. */
  background: string[];
  /** What the background command's output shows, in order. */
  backgroundOutput: string[];
  /** `$ command` lines, each with the output shown under it. */
  commands: Array<{ command: string; output: string[] }>;
}

const MARKED_BLOCK = /<!-- walkthrough: (background|output of the background command|commands)\b[^>]*-->\s*\n```[^\n]*\n([\s\S]*?)\n```/g;

export function parseWalkthrough(markdown: string): Walkthrough {
  const walkthrough: Walkthrough = { background: [], backgroundOutput: [], commands: [] };
  for (const [, kind, body] of markdown.matchAll(MARKED_BLOCK)) {
    const lines = body!.split("\n");
    if (kind === "background") walkthrough.background.push(...lines.filter((line) => line.trim() && !line.trim().startsWith("#")));
    else if (kind === "commands") walkthrough.commands.push(...commandsOf(lines));
    else walkthrough.backgroundOutput.push(...lines);
  }
  return walkthrough;
}

function commandsOf(lines: string[]): Walkthrough["commands"] {
  const commands: Walkthrough["commands"] = [];
  for (const line of lines) {
    if (line.startsWith("$ ")) commands.push({ command: line.slice(2), output: [] });
    else if (commands.length) commands.at(-1)!.output.push(line);
    else throw new Error(`a walkthrough commands block must start with "$ ": ${line}`);
  }
  return commands;
}

/** One shown line as a pattern: `...` is any text, a run of spaces any run of whitespace. */
export function linePattern(shown: string): RegExp {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const parts = shown.trim().split("...").map((part) => part.split(/\s+/).map(escape).join("\\s+"));
  return new RegExp(`^\\s*${parts.join(".*")}\\s*$`);
}

/**
 * The first shown line that the output does not contain, in order (lines of only `...`
 * stand for lines left out); undefined when the output says everything shown.
 */
export function firstMissing(output: string, shown: readonly string[]): string | undefined {
  const lines = output.split("\n");
  let at = 0;
  for (const expected of shown) {
    if (expected.trim() === "..." || expected.trim() === "") continue;
    const pattern = linePattern(expected);
    const found = lines.findIndex((line, i) => i >= at && pattern.test(line));
    if (found === -1) return expected;
    at = found + 1;
  }
  return undefined;
}
