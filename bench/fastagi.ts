/**
 * FastAGI load: N connections, each running 10-command sessions back to back for a fixed
 * time, playing Asterisk (env, then one reply per command). Latency per command is the
 * time from our reply (or the environment) to the server's next command.
 */
import { recordedEnv } from "./recorded-env.ts";

const ENV = `${recordedEnv("bench").join("\n")}\n`;

function replyTo(command: string): string {
  if (command.startsWith("STREAM FILE")) return "200 result=0 endpos=8000\n";
  if (command.startsWith("GET VARIABLE")) return "200 result=1 (value)\n";
  return "200 result=0\n";
}

function oneSession(port: number, latencies: number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let last = 0;
    let partial = "";
    Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(socket) {
          last = performance.now();
          socket.write(ENV);
        },
        data(socket, chunk) {
          const text = partial + chunk.toString();
          const lines = text.split("\n");
          partial = lines.pop() ?? "";
          for (const line of lines) {
            const now = performance.now();
            latencies.push(now - last);
            last = now;
            socket.write(replyTo(line));
          }
        },
        close: () => resolve(),
        error: (_socket, error) => reject(error),
      },
    }).catch(reject);
  });
}

export async function loadFastAgi(port: number, connections: number, seconds: number) {
  const latencies: number[] = [];
  let sessions = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        await oneSession(port, latencies);
        sessions++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { sessions, sessionsPerSecond: sessions / elapsed, latencies };
}
