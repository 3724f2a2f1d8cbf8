/** Which contexts a new block adds, removes or changes, for the one-line report of a rewrite. */
export interface BlockDiff {
  added: string[];
  removed: string[];
  changed: string[];
}

function contexts(lines: readonly string[]): Map<string, string> {
  const found = new Map<string, string>();
  let name: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (name !== undefined) found.set(name, body.join("\n"));
  };
  for (const line of lines) {
    const header = /^\[([^\]]+)\]\s*$/.exec(line.trim());
    if (header) {
      flush();
      name = header[1];
      body = [];
    } else if (name !== undefined && line.trim() !== "" && !line.trim().startsWith(";")) {
      body.push(line.trim());
    }
  }
  flush();
  return found;
}

export function diffBlocks(before: readonly string[], after: readonly string[]): BlockDiff {
  const old = contexts(before);
  const now = contexts(after);
  return {
    added: [...now.keys()].filter((name) => !old.has(name)),
    removed: [...old.keys()].filter((name) => !now.has(name)),
    changed: [...now.keys()].filter((name) => old.has(name) && old.get(name) !== now.get(name)),
  };
}

export function describeDiff(diff: BlockDiff): string[] {
  const lines: string[] = [];
  const list = (names: string[]) => (names.length > 8 ? `${names.slice(0, 8).join(", ")} and ${names.length - 8} more` : names.join(", "));
  if (diff.added.length) lines.push(`added ${diff.added.length}: ${list(diff.added)}`);
  if (diff.removed.length) lines.push(`removed ${diff.removed.length}: ${list(diff.removed)}`);
  if (diff.changed.length) lines.push(`changed ${diff.changed.length}: ${list(diff.changed)}`);
  return lines;
}
