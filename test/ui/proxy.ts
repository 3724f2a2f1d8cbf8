import { createConnection, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of ivr serve's HTTP port, between it and the browser: `cut()` drops
 * every connection (a network blip), and while `paused` new connections wait unanswered
 * (the browser's reconnection is held until `resume()`). Remembers the start of each request.
 */
export class CuttableProxy {
  port = 0;
  paused = false;
  /** The first bytes of each connection the browser made (request line and headers). */
  readonly requests: string[] = [];
  private server: Server | undefined;
  private readonly open = new Set<Socket>();
  private readonly held: Array<() => void> = [];

  constructor(private readonly targetPort: number) {}

  async start(): Promise<this> {
    this.server = createServer((client) => {
      this.open.add(client);
      client.on("close", () => this.open.delete(client));
      client.on("error", () => client.destroy());
      client.pause();
      const forward = () => {
        const upstream = createConnection(this.targetPort, "127.0.0.1");
        this.open.add(upstream);
        upstream.on("close", () => {
          this.open.delete(upstream);
          client.destroy();
        });
        upstream.on("error", () => upstream.destroy());
        client.on("close", () => upstream.destroy());
        client.once("data", (chunk: Buffer) => this.requests.push(chunk.toString("latin1", 0, 4096)));
        client.pipe(upstream);
        upstream.pipe(client);
      };
      if (this.paused) this.held.push(forward);
      else forward();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Drops every connection, and holds new ones until resume(). */
  cut(): void {
    this.paused = true;
    for (const socket of this.open) socket.destroy();
  }

  get waiting(): number {
    return this.held.length;
  }

  resume(): void {
    this.paused = false;
    for (const forward of this.held.splice(0)) forward();
  }

  stop(): void {
    for (const socket of this.open) socket.destroy();
    this.server?.close();
  }
}
