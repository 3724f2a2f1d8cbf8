import { AgiSession } from "../../src/agi/session.ts";
import { SocketWriter } from "../../src/agi/socket-writer.ts";
import type { AsteriskSide } from "./fake-asterisk.ts";
import { LineReader } from "./line-reader.ts";

export interface TcpSessionPair {
  /** Our AGI session, on the accepted end of a real TCP connection. */
  readonly session: AgiSession;
  /** Asterisk's end. SIGHUP is delivered the way stdin mode does: the session is marked hung up. */
  readonly asterisk: AsteriskSide & { close(): void };
  dispose(): void;
}

/** A real loopback TCP connection with an AgiSession on one end and a fake Asterisk on the other. */
export async function tcpSessionPair(): Promise<TcpSessionPair> {
  let accepted!: (session: AgiSession) => void;
  const sessionReady = new Promise<AgiSession>((resolve) => (accepted = resolve));
  type Data = { session?: AgiSession; writer?: SocketWriter };
  const listener = Bun.listen<Data>({
    hostname: "127.0.0.1",
    port: 0,
    socket: {
      open(socket) {
        const writer = new SocketWriter(socket);
        const session = new AgiSession({ write: (d) => writer.write(d), close: () => writer.end() });
        socket.data = { session, writer };
        accepted(session);
      },
      data: (socket, chunk) => socket.data.session?.receive(chunk),
      drain: (socket) => socket.data.writer?.drain(),
      close: (socket) => {
        socket.data.writer?.closed();
        socket.data.session?.end();
      },
    },
  });
  const lines = new LineReader();
  const client = await Bun.connect({
    hostname: "127.0.0.1",
    port: listener.port,
    socket: { data: (_s, chunk) => lines.push(chunk), close: () => lines.end() },
  });
  const session = await sessionReady;
  return {
    session,
    asterisk: {
      write: (data) => void client.write(data),
      lines,
      signal: () => session.markHungUp("sighup"),
      close: () => client.end(),
    },
    dispose() {
      client.end();
      listener.stop(true);
    },
  };
}
