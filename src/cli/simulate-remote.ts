import type { Socket } from "bun";
import { LineSplitter } from "../agi/lines.ts";
import { SimulatedAsterisk, type Simulation, simulatedEnv } from "../agi/simulator.ts";
import { SocketWriter } from "../agi/socket-writer.ts";
import { CommandFailure } from "./args.ts";

/** A call through the IVR ends in well under this; a server that never closes the session is reported. */
const CALL_TIMEOUT_MS = 60_000;

export interface FastAgiAddress {
  hostname: string;
  port: number;
}

export const formatAddress = ({ hostname, port }: FastAgiAddress) => `${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;

/**
 * The environment Asterisk sends for AGI(agi://host:port/<script>): the stdin-mode one with
 * the network lines in front and the URL as agi_request (see the FastAGI recordings).
 */
export function fastAgiEnv(sim: Simulation, uniqueid: string, address: FastAgiAddress, script: string): string {
  const lines = simulatedEnv(sim, uniqueid)
    .split("\n")
    .map((line) => (line.startsWith("agi_request: ") ? `agi_request: agi://${formatAddress(address)}/${script}` : line));
  return `agi_network: yes\nagi_network_script: ${script}\n${lines.join("\n")}`;
}

/**
 * Plays Asterisk's side of one call against a running FastAGI server (`ivr serve`), as
 * AGI(agi://host:port/ivr) would: the server runs its own IVR with its own config and
 * records the call in its history. Resolves with the simulated side once the server closes
 * the session (it does when the IVR is done).
 */
export async function simulateOverFastAgi(sim: Simulation, address: FastAgiAddress, script = "ivr"): Promise<SimulatedAsterisk> {
  const where = `the FastAGI server at ${formatAddress(address)}`;
  const lines = new LineSplitter();
  let writer: SocketWriter | undefined;
  const asterisk = new SimulatedAsterisk(sim, (text) => void writer?.write(text));
  let finish!: (error?: Error) => void;
  const finished = new Promise<void>((resolve, reject) => (finish = (error) => (error ? reject(error) : resolve())));

  let socket: Socket<undefined>;
  try {
    socket = await Bun.connect({
      hostname: address.hostname,
      port: address.port,
      socket: {
        data(_socket, chunk) {
          for (const line of lines.push(chunk)) {
            // res_agi reads a line starting with "failure" as the server refusing the call.
            if (/^failure/i.test(line)) return finish(new CommandFailure(`${where} refused the call (${line.slice(0, 80)}): Asterisk would set AGISTATUS=FAILURE and go on in the dialplan`));
            asterisk.write(`${line}\n`);
          }
          if (lines.error) finish(new CommandFailure(`${where} sent something that is not AGI: ${lines.error.message}`));
        },
        drain: () => writer?.drain(),
        close: () => finish(),
        error: (_socket, error) => finish(new CommandFailure(`${where}: ${error.message}`)),
      },
    });
  } catch (error) {
    throw new CommandFailure(`cannot reach ${where}: ${(error as Error).message} (is ivr serve running there?)`);
  }
  writer = new SocketWriter(socket);
  writer.write(fastAgiEnv(sim, `${Math.floor(Date.now() / 1000)}.${process.pid}`, address, script));
  const timer = setTimeout(() => finish(new CommandFailure(`${where} did not end the call within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS);
  try {
    await finished;
  } finally {
    clearTimeout(timer);
    socket.end();
  }
  return asterisk;
}
