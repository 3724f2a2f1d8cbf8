/** Configs that stress the YAML reader, for unit and end-to-end tests. */

/** `count` DIDs that all share the default menu's queues through one alias. */
export function sharedQueues(count: number): string {
  const dids = Array.from({ length: count }, (_, i) => `  "02${String(i).padStart(8, "0")}":\n    queues: *q\n`);
  return `default:\n  queues: &q\n    "1": "10001"\n    "2": "10002"\ndids:\n${dids.join("")}`;
}

/** The classic attack: each level refers nine times to the one before it (9^levels values). */
export function billionLaughs(levels = 9): string {
  const lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}
