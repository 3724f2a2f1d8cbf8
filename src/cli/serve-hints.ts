import { relative } from "node:path";
import { menuFor } from "../config/menu.ts";
import type { IvrConfig } from "../config/schema.ts";

interface Address {
  hostname: string;
  port: number;
}

export interface StartedServer {
  /** How to run ivr from where the server was started, e.g. "./dist/ivr". */
  ivr: string;
  config: IvrConfig;
  /** The config file as the server was given it, for `ivr calls --config`. */
  configPath: string;
  /** The --db the server was given, if any: `ivr calls` must be given it too. */
  dbFlag: string | undefined;
  fastagi: Address;
  http: Address;
}

/** What to try once `ivr serve` listens: a call through it, where it is recorded, the dialplan line, /health. */
export function nextSteps(server: StartedServer): string[] {
  const fastagi = reachable(server.fastagi);
  const did = Object.keys(server.config.dids ?? {})[0] ?? "0212345678";
  const key = Object.keys(menuFor(server.config, did).menu.queues)[0];
  const wildcard = fastagi !== hostPort(server.fastagi) ? " (from another host: this machine's address)" : "";
  return [
    "next steps:",
    `  a test call through this server: ${server.ivr} simulate --fastagi ${fastagi} --did ${did}${key ? ` --press ${key}` : ""}`,
    `  the calls it recorded:           ${server.ivr} calls ${server.dbFlag ? `--db ${shellWord(server.dbFlag)}` : `--config ${shellWord(server.configPath)}`}`,
    `  in extensions.conf:              exten => _X.,1,AGI(agi://${fastagi}/ivr)${wildcard}`,
    `  health:                          curl http://${reachable(server.http)}/health`,
  ];
}

/**
 * The command that runs this ivr from `cwd`: the compiled binary, or bun with the source
 * entry point; relative when it lies under `cwd`.
 */
export function ivrCommand(compiled: boolean, executable: string, main: string, cwd = process.cwd()): string {
  const path = compiled ? executable : main;
  const fromHere = relative(cwd, path);
  const under = fromHere !== "" && !fromHere.startsWith("..") && !fromHere.startsWith("/");
  if (compiled) return shellWord(under ? `./${fromHere}` : path);
  return `bun ${shellWord(under ? fromHere : path)}`;
}

/** A listening address as a client on this machine reaches it: a wildcard becomes loopback. */
function reachable({ hostname, port }: Address): string {
  if (hostname === "0.0.0.0") return `127.0.0.1:${port}`;
  if (hostname === "::" || hostname === "[::]") return `[::1]:${port}`;
  return hostPort({ hostname, port });
}

const hostPort = ({ hostname, port }: Address) => `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

/** Quoted for a POSIX shell when it has to be. */
function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
