import type { AsteriskSide } from "./fake-asterisk.ts";

/**
 * Plays a caller who presses `key` at the welcome and lets every other command succeed,
 * until the IVR sends `EXEC Queue ...`: the commands it sent, that one last. Then answers
 * whatever follows until the IVR closes. For tests about which menu a call got, not about
 * the exact conversation (the replay tests check that).
 */
export async function pressForQueue(side: AsteriskSide, env: readonly string[], key: string): Promise<string[]> {
  side.write(env.map((line) => `${line}\n`).join(""));
  const commands: string[] = [];
  for (;;) {
    const line = await side.lines.next(10_000, "the next AGI command");
    if (line === undefined) return commands;
    commands.push(line);
    if (line.startsWith("EXEC Queue")) break;
    side.write(`${replyTo(line, key)}\n`);
  }
  side.write("200 result=0\n");
  while ((await side.lines.next(10_000, "the IVR to finish")) !== undefined) side.write("200 result=0\n");
  return commands;
}

function replyTo(command: string, key: string): string {
  if (command === "CHANNEL STATUS") return "200 result=6"; // up
  if (command.startsWith("STREAM FILE")) return `200 result=${key.charCodeAt(0)} endpos=800`;
  if (command.startsWith("WAIT FOR DIGIT") || command.startsWith("GET DATA")) return "200 result=0";
  return "200 result=1";
}
