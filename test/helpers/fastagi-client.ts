import type { AsteriskSide } from "./fake-asterisk.ts";
import { LineReader } from "./line-reader.ts";
import { recorded, type Transcript } from "./transcript.ts";

export interface FastAgiClient extends AsteriskSide {
  close(): void;
}

/** Connects to a FastAGI server the way Asterisk does: a plain TCP client. */
export async function connectFastAgi(port: number, hostname = "127.0.0.1"): Promise<FastAgiClient> {
  const lines = new LineReader();
  const socket = await Bun.connect({
    hostname,
    port,
    socket: { data: (_s, chunk) => lines.push(chunk), close: () => lines.end(), error: () => lines.end() },
  });
  return {
    write: (data) => void socket.write(data),
    lines,
    signal: () => {
      throw new Error("FastAGI has no signals: Asterisk writes HANGUP");
    },
    close: () => socket.end(),
  };
}

/**
 * The recorded FastAGI environment with another script path (and query), as Asterisk
 * would send it for AGI(agi://127.0.0.1/<script>).
 */
export function fastAgiEnv(script: string, base: Transcript = recorded("fastagi-menu-digit2-queue")): string[] {
  return base.env.map((line) => {
    if (line.startsWith("agi_network_script: ")) return `agi_network_script: ${script}`;
    if (line.startsWith("agi_request: ")) return `agi_request: agi://127.0.0.1/${script}`;
    return line;
  });
}

export function withScript(transcript: Transcript, script: string): Transcript {
  return { ...transcript, env: fastAgiEnv(script, transcript) };
}

export const envText = (lines: readonly string[]) => lines.map((line) => `${line}\n`).join("");

/**
 * A new call is not served: the connection is refused, or answered FAILURE (so the dialplan
 * continues with AGISTATUS=FAILURE) and closed.
 */
export async function expectNoNewCall(port: number): Promise<void> {
  const client = await connectFastAgi(port).catch(() => undefined);
  if (!client) return;
  client.write(envText(fastAgiEnv("ivr")));
  const lines = await client.lines.closed();
  if (lines.length && !(lines.length === 1 && agiStatus(lines) === "FAILURE")) throw new Error(`a call was served: ${JSON.stringify(lines)}`);
}

/**
 * AGISTATUS as res_agi sets it from what the server sent before closing: a line beginning
 * with "failure" (any case) is FAILURE; a close without one is SUCCESS.
 */
export function agiStatus(lines: readonly string[]): "FAILURE" | "SUCCESS" {
  return lines.some((line) => line.toLowerCase().startsWith("failure")) ? "FAILURE" : "SUCCESS";
}

/**
 * A refused call as Asterisk sees it: FAILURE as the only line, then the close, so the
 * README's `GotoIf($["${AGISTATUS}" = "FAILURE"]?operator,s,1)` routes the caller.
 */
export async function expectRefused(port: number, script = "ivr"): Promise<void> {
  const client = await connectFastAgi(port);
  client.write(envText(fastAgiEnv(script)));
  const lines = await client.lines.closed();
  if (lines.length !== 1 || agiStatus(lines) !== "FAILURE") throw new Error(`expected FAILURE and a close, got ${JSON.stringify(lines)}`);
}
