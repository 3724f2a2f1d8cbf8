export interface ConfigIssue {
  line?: number;
  col?: number;
  /** The key path, e.g. `dids.0212345678.queues.1`; "" for the file as a whole. */
  path: string;
  message: string;
}

/** A config with thousands of broken DIDs must not flood the log (or Asterisk's console). */
const MAX_SHOWN = 50;

/** An invalid config: every problem found, each with its position in the file. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(
    readonly file: string,
    issues: readonly ConfigIssue[],
  ) {
    const sorted = [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
    // Every issue is kept; the message (what is logged and printed) shows the first ones.
    const shown = sorted.slice(0, MAX_SHOWN).map((issue) => formatIssue(file, issue));
    if (sorted.length > MAX_SHOWN) shown.push(`${file}: ...and ${sorted.length - MAX_SHOWN} more problems`);
    super(shown.join("\n"));
    this.issues = sorted;
  }

  readonly issues: readonly ConfigIssue[];
}

/** `file:line:col: key.path: message`, the form editors and CI logs link to. */
export function formatIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.col ?? 1}`;
  const line = issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
  // Keys and values are quoted from the file: a line break in one must not forge a log line.
  return line.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
