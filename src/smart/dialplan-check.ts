/**
 * A structural check of extensions.conf text, enough to refuse writing something Asterisk
 * would misread: context headers, `exten =>` and `same =>` lines, balanced (), [] and {},
 * and only applications Asterisk 22 has (Macro() is gone since 21).
 */

/** The applications ivr generates or its hooks use; all exist in Asterisk 22. */
export const KNOWN_APPLICATIONS = new Set([
  "AGI",
  "Answer",
  "Dial",
  "ExecIf",
  "Gosub",
  "GosubIf",
  "Goto",
  "GotoIf",
  "GotoIfTime",
  "Hangup",
  "Log",
  "NoOp",
  "Playback",
  "Queue",
  "Return",
  "Set",
  "Verbose",
  "Wait",
]);

export function checkExtensionsConf(text: string): string[] {
  const problems: string[] = [];
  let context: string | undefined;
  let extensionOpen = false;
  text.split(/\r?\n/).forEach((raw, i) => {
    const where = `line ${i + 1}`;
    const line = raw.trim();
    if (line === "" || line.startsWith(";")) return;
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      if (!/^[A-Za-z0-9_.+-]+$/.test(header[1]!)) problems.push(`${where}: bad context name [${header[1]}]`);
      context = header[1];
      extensionOpen = false;
      return;
    }
    const entry = /^(exten|same)\s*=>\s*(.*)$/.exec(line);
    if (!entry) {
      problems.push(`${where}: neither a context, an exten => / same => line, nor a comment: ${line}`);
      return;
    }
    if (!context) problems.push(`${where}: ${entry[1]} => outside any [context]`);
    const [kind, rest] = [entry[1]!, entry[2]!];
    let command: string;
    if (kind === "exten") {
      const parts = /^([^,]+),([^,]+),(.*)$/.exec(rest);
      if (!parts || !/^(\d+|n)(\([A-Za-z0-9_-]+\))?$/.test(parts[2]!)) {
        problems.push(`${where}: exten => needs extension,priority,Application(...)`);
        return;
      }
      command = parts[3]!;
      extensionOpen = true;
    } else {
      if (!extensionOpen) problems.push(`${where}: same => with no exten => before it in this context`);
      const parts = /^(n|\d+)(\([A-Za-z0-9_-]+\))?,(.*)$/.exec(rest);
      if (!parts) {
        problems.push(`${where}: same => needs priority,Application(...)`);
        return;
      }
      command = parts[3]!;
    }
    const app = /^([A-Za-z][A-Za-z0-9_]*)\((.*)\)$/.exec(command);
    if (!app) {
      problems.push(`${where}: not an Application(...) call: ${command}`);
      return;
    }
    if (app[1]!.toLowerCase() === "macro") problems.push(`${where}: Macro() does not exist in Asterisk 21 and later: use Gosub()`);
    else if (!KNOWN_APPLICATIONS.has(app[1]!)) problems.push(`${where}: unknown application ${app[1]}`);
    const unbalanced = balance(command);
    if (unbalanced) problems.push(`${where}: ${unbalanced}`);
  });
  return problems;
}

function balance(text: string): string | undefined {
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  const stack: string[] = [];
  for (const ch of text) {
    if (ch === "(" || ch === "[" || ch === "{") stack.push(ch);
    else if (ch in pairs) {
      if (stack.pop() !== pairs[ch]) return `unbalanced ${ch}`;
    }
  }
  return stack.length ? `unclosed ${stack.at(-1)}` : undefined;
}
