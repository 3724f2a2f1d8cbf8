/**
 * The TCP edge of the AMI client (Bun.connect); everything else is plain TypeScript. Writes
 * the socket cannot take at once wait for `drain`, bounded: a peer that stops reading while
 * we keep writing is a dead peer, and the connection is closed rather than buffered forever.
 */
export interface AmiSocket {
  write(text: string): void;
  close(): void;
}

export interface SocketHandlers {
  data(chunk: Uint8Array): void;
  /** Called once, whatever ended the connection. */
  closed(reason: string): void;
}

export type Connect = (target: { host: string; port: number; timeoutMs: number; maxPendingWrite: number }, handlers: SocketHandlers) => Promise<AmiSocket>;

const encoder = new TextEncoder();

export const connectTcp: Connect = (target, handlers) =>
  new Promise<AmiSocket>((resolve, reject) => {
    let pending: Uint8Array | undefined;
    let done = false;
    let settled = false;
    const finish = (reason: string) => {
      if (done) return;
      done = true;
      handlers.closed(reason);
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(new Error(`no TCP connection to ${target.host}:${target.port} within ${target.timeoutMs} ms`));
      void connecting.then((socket) => socket.end()).catch(() => {});
    }, target.timeoutMs);
    const connecting = Bun.connect({
      hostname: target.host,
      port: target.port,
      socket: {
        open(socket) {
          if (settled) return void socket.end();
          settled = true;
          clearTimeout(timer);
          resolve({
            write(text) {
              if (done) return;
              const bytes = encoder.encode(text);
              if (pending) {
                if (pending.length + bytes.length > target.maxPendingWrite) {
                  finish(`the AMI peer stopped reading (over ${target.maxPendingWrite} bytes unsent)`);
                  socket.end();
                  return;
                }
                pending = concat(pending, bytes);
                return;
              }
              const written = socket.write(bytes);
              if (written < bytes.length) pending = bytes.subarray(Math.max(written, 0));
            },
            close() {
              finish("closed by us");
              socket.end();
            },
          });
        },
        data(_socket, data) {
          if (!done) handlers.data(data);
        },
        drain(socket) {
          if (!pending) return;
          const written = socket.write(pending);
          pending = written < pending.length ? pending.subarray(Math.max(written, 0)) : undefined;
        },
        close() {
          finish("connection closed by Asterisk");
        },
        error(_socket, error) {
          finish(`socket error: ${error.message}`);
        },
        connectError(_socket, error) {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      },
    });
    connecting.catch((error: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(error);
    });
  });

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
