/**
 * The few path operations the per-call path needs before its first AGI command, on POSIX
 * paths, without node:path: importing it costs every call about 0.6 ms and 2 MiB (measured
 * on a compiled Bun program, bench/). They give what node:path's posix functions give
 * (test/config/posix-path.test.ts holds them to it).
 */

/** Like path.isAbsolute. */
export const isAbsolute = (path: string): boolean => path.startsWith("/");

/** Like path.resolve: the parts from the working directory on, `.` and `..` resolved, no trailing slash. */
export function resolve(...parts: string[]): string {
  let path = process.cwd();
  for (const part of parts) if (part) path = isAbsolute(part) ? part : `${path}/${part}`;
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join("/")}`;
}

/** Like path.dirname. */
export function dirname(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, "") : path;
  const slash = trimmed.lastIndexOf("/");
  if (slash === -1) return ".";
  if (slash === 0) return "/";
  return slash === 1 && trimmed.startsWith("//") ? "//" : trimmed.slice(0, slash);
}

/** A file in a directory: `dir/name` (a trailing slash of `dir` is not doubled). */
export const inDirectory = (dir: string, name: string): string => (dir.endsWith("/") ? `${dir}${name}` : `${dir}/${name}`);
