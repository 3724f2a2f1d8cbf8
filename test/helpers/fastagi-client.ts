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

/** A new call is not served: the connection is refused, or closed before any command. */
export async function expectNoNewCall(port: number): Promise<void> {
  const client = await connectFastAgi(port).catch(() => undefined);
  if (!client) return;
  client.write(envText(fastAgiEnv("ivr")));
  const lines = await client.lines.closed();
  if (lines.length) throw new Error(`a call was served after the server stopped: ${JSON.stringify(lines)}`);
}
