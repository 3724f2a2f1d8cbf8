import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A recorded AGI session (test/fixtures/agi/*.txt, see RECORDINGS.md there):
 *   `< line`  Asterisk wrote it;  `> line`  the AGI wrote it;  `# signal SIGHUP`  the
 *   stdin-mode AGI got SIGHUP here;  other `# ` lines are the recorder's notes.
 */
export type Step =
  | { readonly kind: "asterisk"; readonly line: string }
  | { readonly kind: "agi"; readonly line: string }
  | { readonly kind: "signal"; readonly signal: "SIGHUP" };

export interface Transcript {
  readonly name: string;
  /** The environment lines Asterisk sent, the closing blank line included. */
  readonly env: readonly string[];
  /** What followed the environment, in order. */
  readonly steps: readonly Step[];
}

export const AGI_FIXTURES = join(import.meta.dir, "..", "fixtures", "agi");

export function parseTranscript(text: string, name = "transcript"): Transcript {
  const all: Step[] = [];
  for (const raw of text.split("\n")) {
    if (raw === "") continue;
    if (raw.startsWith("< ") || raw === "<") all.push({ kind: "asterisk", line: raw.slice(2) });
    else if (raw.startsWith("> ")) all.push({ kind: "agi", line: raw.slice(2) });
    else if (raw === "# signal SIGHUP") all.push({ kind: "signal", signal: "SIGHUP" });
    else if (!raw.startsWith("#")) throw new Error(`${name}: not a transcript line: ${JSON.stringify(raw)}`);
  }
  const blank = all.findIndex((step) => step.kind === "asterisk" && step.line === "");
  if (blank === -1) throw new Error(`${name}: no blank line ends the environment`);
  const env = all.slice(0, blank + 1).map((step) => (step as { line: string }).line);
  return { name, env, steps: all.slice(blank + 1) };
}

export function loadTranscript(path: string): Transcript {
  return parseTranscript(readFileSync(path, "utf8"), path.slice(path.lastIndexOf("/") + 1));
}

/** Every recording from the real Asterisk 22. */
export function recordedTranscripts(): Transcript[] {
  return readdirSync(AGI_FIXTURES)
    .filter((file) => file.endsWith(".txt"))
    .sort()
    .map((file) => loadTranscript(join(AGI_FIXTURES, file)));
}

export function recorded(name: string): Transcript {
  return loadTranscript(join(AGI_FIXTURES, name.endsWith(".txt") ? name : `${name}.txt`));
}

/** Everything Asterisk wrote, as the bytes on the wire. */
export function asteriskBytes(transcript: Transcript): string {
  const lines = [...transcript.env, ...transcript.steps.flatMap((s) => (s.kind === "asterisk" ? [s.line] : []))];
  return lines.map((line) => `${line}\n`).join("");
}

/** The commands the recorded AGI sent, in order. */
export function agiCommands(transcript: Transcript): string[] {
  return transcript.steps.flatMap((s) => (s.kind === "agi" ? [s.line] : []));
}
