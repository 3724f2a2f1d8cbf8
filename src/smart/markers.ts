/** The line that opens and closes the generated block, as the seed's plan.py wrote it. */
export const MARKER = ";******************************Smart Redirection******************************************";

export class MarkerError extends Error {
  override name = "MarkerError";
}

interface MarkerLine {
  start: number;
  /** Where the next line starts (after the marker's line ending, if it has one). */
  next: number;
}

function markerLines(text: string): MarkerLine[] {
  const found: MarkerLine[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline === -1 ? text.length : newline;
    // Only ASCII blanks after it: the text may be bytes (see dialplan-file.ts), where trimEnd would take a NBSP byte.
    if (text.slice(start, end).replace(/[ \t\r]+$/, "") === MARKER) found.push({ start, next: newline === -1 ? text.length : newline + 1 });
    if (newline === -1) break;
    start = newline + 1;
  }
  return found;
}

/** The file's line ending, so that generated lines match it. */
export function lineEnding(text: string): "\r\n" | "\n" {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

/** The lines between the markers now, or undefined when there are none yet. */
export function currentBlock(text: string): string[] | undefined {
  const markers = checkedMarkers(text);
  if (!markers) return undefined;
  const inside = text.slice(markers[0].next, markers[1].start);
  return inside === "" ? [] : inside.replace(/\r?\n$/, "").split(/\r?\n/);
}

/**
 * The text with only the block between the markers replaced: every byte before the first
 * marker line and from the second marker line on stays as it was (CRLF, a missing final
 * newline). Without markers they are added at the end, after a line ending if the file
 * lacks a final one.
 */
export function replaceBlock(text: string, block: readonly string[]): string {
  const eol = lineEnding(text);
  const body = block.map((line) => `${line}${eol}`).join("");
  const markers = checkedMarkers(text);
  if (markers) return text.slice(0, markers[0].next) + body + text.slice(markers[1].start);
  const separator = text === "" || text.endsWith("\n") ? "" : eol;
  return `${text}${separator}${MARKER}${eol}${body}${MARKER}${eol}`;
}

function checkedMarkers(text: string): [MarkerLine, MarkerLine] | undefined {
  const markers = markerLines(text);
  if (markers.length === 0) return undefined;
  const at = (m: MarkerLine) => text.slice(0, m.start).split("\n").length;
  if (markers.length !== 2) {
    throw new MarkerError(
      `expected two Smart Redirection marker lines, found ${markers.length} (at lines ${markers.map(at).join(", ")}): fix the file by hand first`,
    );
  }
  return [markers[0]!, markers[1]!];
}
