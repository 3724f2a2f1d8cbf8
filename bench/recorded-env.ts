import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The environment of a real FastAGI recording, with another script name. */
export function recordedEnv(script: string): string[] {
  const text = readFileSync(join(import.meta.dir, "..", "test", "fixtures", "agi", "fastagi-menu-digit2-queue.txt"), "utf8");
  const env: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("< ") && line !== "<") continue;
    const value = line.slice(2);
    if (value === "") break;
    if (value.startsWith("agi_network_script: ")) env.push(`agi_network_script: ${script}`);
    else if (value.startsWith("agi_request: ")) env.push(`agi_request: agi://127.0.0.1/${script}`);
    else env.push(value);
  }
  return [...env, ""];
}

/** The same environment as a stdin-mode session would get it (no agi_network lines). */
export function recordedStdinEnv(): string[] {
  return recordedEnv("ivr").filter((line) => !line.startsWith("agi_network"));
}
