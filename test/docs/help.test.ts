/**
 * `--help`, the README and docs/ say the same things: the commands, each command's flags,
 * and the facts the help texts are built from (search path, statuses, simulated results).
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SIMULATED_EFFECTS, SIMULATED_RESULTS } from "../../src/agi/simulated-results.ts";
import { SEARCH_PATHS } from "../../src/config/paths.ts";
import { CALL_STATUSES } from "../../src/history/statuses.ts";
import { compiledBinary } from "../helpers/binary.ts";

const ROOT = join(import.meta.dir, "..", "..");
const doc = (name: string) => readFileSync(join(ROOT, "docs", name), "utf8");
const DOCS = [["README.md", readFileSync(join(ROOT, "README.md"), "utf8")], ...readdirSync(join(ROOT, "docs")).map((name) => [`docs/${name}`, doc(name)])] as const;
const COMMANDS = ["agi", "serve", "check", "simulate", "calls", "dialplan", "ami", "webhooks", "version"];

let binary: string;
const help: Record<string, string> = {};
beforeAll(async () => {
  binary = await compiledBinary();
  for (const command of ["", ...COMMANDS]) {
    const proc = Bun.spawnSync([binary, ...(command ? [command] : []), "--help"], { env: { PATH: "/usr/bin:/bin" } });
    expect(proc.exitCode).toBe(0);
    help[command || "overview"] = proc.stdout.toString();
  }
});

/** The long flags a text names, without the universal --help and --version. */
const flagsIn = (text: string) => new Set([...text.matchAll(/(?<![\w-])--[a-z][a-z-]*/g)].map(([flag]) => flag).filter((flag) => flag !== "--help" && flag !== "--version"));
/** The flags a text gives `command`: those after an invocation of another command (ivr dialplan --hooks) are that one's. */
const ownFlags = (text: string, command: string) => flagsIn(text.replace(new RegExp(`\\bivr (?!${command}\\b)[a-z]+\\b[^\\n]*`, "g"), ""));
const sorted = (set: Set<string>) => [...set].sort();
const words = (text: string) => text.replace(/\s+/g, " ");

/** docs/commands.md's section of one command: from "## ivr <command>" to the next heading. */
function section(command: string): string {
  const text = doc("commands.md");
  const start = text.indexOf(`\n## ivr ${command}\n`);
  if (start === -1) throw new Error(`docs/commands.md has no "## ivr ${command}" section`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end === -1 ? undefined : end);
}

describe("ivr --help and docs/commands.md", () => {
  test("list the same commands", () => {
    const listed = [...help.overview!.split("Commands:\n")[1]!.matchAll(/^ {2}(\w+)\s/gm)].map(([, name]) => name);
    expect(listed.filter((name) => name !== "help")).toEqual(COMMANDS);
    const documented = [...doc("commands.md").matchAll(/^## ivr (\w+)$/gm)].map(([, name]) => name);
    expect(documented).toEqual(COMMANDS);
  });

  test.each(COMMANDS)("ivr %s: every flag in its help is in its docs section, and the other way round", (command) => {
    expect({ command, flags: sorted(ownFlags(section(command), command)) }).toEqual({ command, flags: sorted(ownFlags(help[command]!, command)) });
  });

  test.each(COMMANDS.filter((command) => command !== "version" && command !== "agi"))("ivr %s: every flag in its help is accepted", (command) => {
    for (const flag of ownFlags(help[command]!, command)) {
      // No config can be found, so no command gets further than reading its flags.
      const proc = Bun.spawnSync([binary, command, flag, "x"], { env: { PATH: "/usr/bin:/bin", IVR_CONFIG: "/nonexistent/ivr.yaml" }, cwd: "/", timeout: 10_000 });
      expect({ flag, stderr: proc.stderr.toString() }).not.toMatchObject({ stderr: expect.stringContaining("Unknown option") });
    }
  });
});

describe("every ivr command line in the README and docs/ uses flags its help lists", () => {
  const invocation = /(?:^|[\s`(])(?:\.\/dist\/ivr|\/var\/lib\/asterisk\/agi-bin\/ivr|ivr) (agi|serve|check|simulate|calls|dialplan|webhooks|version)\b([^`\n|#;)]*)/g;
  test.each(DOCS.map(([name]) => name))("%s", (name) => {
    const text = DOCS.find(([n]) => n === name)![1];
    const unknown: string[] = [];
    for (const [line, command, rest] of text.matchAll(invocation)) {
      for (const flag of flagsIn(rest!)) if (!ownFlags(help[command!]!, command!).has(flag)) unknown.push(`${line.trim()}: ${flag}`);
    }
    expect(unknown).toEqual([]);
  });
});

describe("the facts the help texts are built from are in the docs", () => {
  test("the config search path: ivr --help and docs/configuration.md", () => {
    for (const path of SEARCH_PATHS) {
      expect(words(help.overview!)).toContain(path);
      expect(doc("configuration.md")).toContain(`- \`${path}\``);
    }
  });

  test("the statuses: ivr calls --help and docs/call-history.md", () => {
    for (const status of CALL_STATUSES) {
      expect(help.calls).toContain(status);
      expect(doc("call-history.md")).toContain(`| \`${status}\` |`);
    }
  });

  test("what --result does on a queue and an extension: ivr simulate --help and docs/ivr.md", () => {
    for (const result of SIMULATED_RESULTS) {
      const { extension, queue } = SIMULATED_EFFECTS[result];
      expect(words(help.simulate!)).toContain(`${result} ${extension.variables} (${extension.status}) ${queue.variables} (${queue.status})`);
      const row = doc("ivr.md").split("\n").find((line) => line.startsWith(`  | \`${result}\``));
      expect(row).toBe(`  | \`${result}\`${result === "answer" ? " (default)" : ""} | ${extension.what} (\`${extension.variables}\`): ${extension.status} | ${queue.what.replace("a queue is never busy: ", "")} (\`${queue.variables}\`): ${queue.status} |`);
    }
  });

  test("install.sh --help and docs/install.md list the same options", () => {
    const usage = Bun.spawnSync([join(ROOT, "install.sh"), "--help"]).stdout.toString();
    const table = doc("install.md").split("## Options")[1]!.split("\n## ")[0]!;
    expect(sorted(flagsIn(table))).toEqual(sorted(flagsIn(usage)));
  });
});

describe("links between the README and docs/ land on a page and a heading that exist", () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
  const slug = (heading: string) => heading.toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-");
  const anchors = (text: string) => new Set([...text.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => slug(heading!)));
  test.each(DOCS.map(([name]) => name))("%s", (name) => {
    const text = DOCS.find(([n]) => n === name)![1];
    const broken: string[] = [];
    for (const [, target, anchor] of text.matchAll(/\]\(((?:docs\/)?[\w-]+\.md)?(?:#([\w-]+))?\)/g)) {
      const file = target ? (name === "README.md" ? target : `docs/${target}`) : name;
      const page = DOCS.find(([n]) => n === file)?.[1];
      if (page === undefined || (anchor && !anchors(page).has(anchor))) broken.push(`${target ?? ""}#${anchor ?? ""}`);
    }
    expect(broken).toEqual([]);
  });
});
