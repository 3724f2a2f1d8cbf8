import { connectFastAgi, envText, fastAgiEnv } from "./fastagi-client.ts";

/** How the test's caller answers one AGI command (a reply line, as Asterisk 22 writes it). */
export type Responder = (command: string) => string;

/**
 * Asterisk's side of agi://127.0.0.1/outbound for one originated call: the environment the
 * generated context's AGI(agi://.../outbound,${IVR_CALL}) sends on the first leg (its
 * uniqueid is the call id; the call id is also the first argument), then `respond`'s reply
 * to each command until the script closes. Returns the commands it sent.
 */
export async function outboundAgiCall(port: number, callId: string, respond: Responder, channel = "PJSIP/mtt-00001000"): Promise<string[]> {
  const client = await connectFastAgi(port);
  const env = fastAgiEnv("outbound").map((line) => {
    if (line.startsWith("agi_uniqueid: ")) return `agi_uniqueid: ${callId}`;
    if (line.startsWith("agi_channel: ")) return `agi_channel: ${channel}`;
    if (line.startsWith("agi_context: ")) return "agi_context: ivr-outbound";
    if (line.startsWith("agi_extension: ")) return "agi_extension: s";
    if (line.startsWith("agi_request: ")) return "agi_request: agi://127.0.0.1/outbound";
    return line;
  });
  env.splice(env.length - 1, 0, `agi_arg_1: ${callId}`);
  client.write(envText(env));
  const commands: string[] = [];
  for (;;) {
    const line = await client.lines.next(10_000, "the next outbound AGI command");
    if (line === undefined) return commands;
    commands.push(line);
    client.write(`${respond(line)}\n`);
  }
}

/**
 * A customer who presses `keys` in order: each interrupts a prompt that listens for it
 * (STREAM FILE with escape digits) or answers WAIT FOR DIGIT; "," lets a timeout pass.
 * Queue and Dial answer as after a connected call; every other command succeeds.
 */
export function pressing(keys: string, variables: Record<string, string> = {}): Responder {
  const presses = [...keys];
  return (command) => {
    const stream = /^STREAM FILE \S+ "([^"]*)"/.exec(command);
    if (stream) {
      const next = presses[0];
      if (!stream[1] || next === undefined || next === ",") return "200 result=0 endpos=40000";
      presses.shift();
      return `200 result=${next.charCodeAt(0)} endpos=13760`;
    }
    if (command.startsWith("WAIT FOR DIGIT")) {
      const key = presses.shift();
      return !key || key === "," ? "200 result=0" : `200 result=${key.charCodeAt(0)}`;
    }
    const get = /^GET VARIABLE (\S+)$/.exec(command);
    if (get) return variables[get[1]!] === undefined ? "200 result=0" : `200 result=1 (${variables[get[1]!]})`;
    if (command.startsWith("EXEC Queue") || command.startsWith("EXEC Dial")) return "200 result=-1";
    return "200 result=1";
  };
}
