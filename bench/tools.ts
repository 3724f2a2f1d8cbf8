/**
 * What the benchmark needs beside the project: the C driver (cc), ding-dong (node, npm), wrk,
 * the compiled "hello" programs. Each either returns what it made or throws `Missing`, which
 * says how to get the tool; the rows that need it are then reported as not measured.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { WORK } from "./procs.ts";

export class Missing extends Error {}

function need(command: string, install: string): string {
  const path = Bun.which(command);
  if (!path) throw new Missing(`${command} is missing (${install})`);
  return path;
}

const newer = (target: string, source: string) => existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs;

/** bench/peers/agi-drive.c compiled into .bench/agi-drive. */
export function compileDriver(): string {
  const source = join(import.meta.dir, "peers", "agi-drive.c");
  const target = join(WORK, "agi-drive");
  if (newer(target, source)) return target;
  const cc = need("cc", "as root: apt-get install -y gcc");
  const result = Bun.spawnSync([cc, "-O2", "-o", target, source], { stderr: "pipe" });
  if (result.exitCode !== 0) throw new Error(`compiling agi-drive.c failed:\n${result.stderr.toString()}`);
  return target;
}

/** ding-dong installed into .bench/peers/ (not a project dependency); returns the NODE_PATH to find it. */
export function installDingDong(): { node: string; nodePath: string } {
  const node = need("node", "as root: apt-get install -y nodejs");
  const dir = join(WORK, "peers");
  const nodePath = join(dir, "node_modules");
  if (existsSync(join(nodePath, "ding-dong", "package.json"))) return { node, nodePath };
  const npm = need("npm", "as root: apt-get install -y npm");
  mkdirSync(dir, { recursive: true });
  // Its own package.json, or npm would install into the project's.
  writeFileSync(join(dir, "package.json"), '{ "private": true }\n');
  const result = Bun.spawnSync([npm, "install", "--no-audit", "--no-fund", "ding-dong"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (result.exitCode !== 0) throw new Missing(`npm install ding-dong failed in ${dir} (is the npm registry reachable?): ${result.stderr.toString().slice(-400)}`);
  return { node, nodePath };
}

export function requireWrk(): string {
  return need("wrk", "as root: apt-get install -y wrk");
}

/** The floor programs, compiled like the product (scripts/build.ts): bench/hello/print.ts and stdin.ts. */
export async function buildHello(): Promise<{ print: string; stdin: string }> {
  const build = async (name: "print" | "stdin") => {
    const outfile = join(WORK, `hello-${name}`);
    const result = await Bun.build({
      entrypoints: [join(import.meta.dir, "hello", `${name}.ts`)],
      target: "bun",
      format: "esm",
      minify: true,
      bytecode: true,
      compile: { outfile, autoloadDotenv: false, autoloadBunfig: false },
    });
    if (!result.success) throw new Error(`building hello-${name} failed:\n${result.logs.map(String).join("\n")}`);
    return outfile;
  };
  return { print: await build("print"), stdin: await build("stdin") };
}
