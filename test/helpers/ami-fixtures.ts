import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { AmiFramer, type Framed } from "../../src/ami/framing.ts";
import type { AmiMessage } from "../../src/ami/message.ts";

export const AMI_FIXTURES = join(import.meta.dir, "..", "fixtures", "ami");

/**
 * The recorded streams (`*.ami`, bytes as Asterisk wrote them) and the written ones
 * (`*.written.ami`: composed from the Asterisk 22 event reference for what the recordings
 * lack; their first lines, starting with "# ", say so and are not part of the stream).
 */
export function amiStreamNames(): string[] {
  return readdirSync(AMI_FIXTURES)
    .filter((name) => name.endsWith(".ami"))
    .map((name) => name.slice(0, -4))
    .sort();
}

export function amiBytes(name: string): Uint8Array {
  const bytes = readFileSync(join(AMI_FIXTURES, `${name}.ami`));
  let start = 0;
  while (bytes[start] === 0x23 /* # */) start = bytes.indexOf(0x0a, start) + 1;
  return bytes.subarray(start);
}

/** Every message of a stream, in order, framed in one piece. */
export function amiMessages(name: string): AmiMessage[] {
  return framedAll([amiBytes(name)]).flatMap((item) => (item.kind === "message" ? [item.message] : []));
}

/** The events of a stream (what a tracker is fed), without the login and logoff responses. */
export function amiEvents(name: string): AmiMessage[] {
  return amiMessages(name).filter((message) => message.event !== undefined);
}

export function framedAll(chunks: Uint8Array[]): Framed[] {
  const framer = new AmiFramer();
  const out: Framed[] = [];
  for (const chunk of chunks) framer.push(chunk, out);
  return out;
}
