/** What a listening socket is for, and where the administrator sets its address. */
export type Listener = "FastAGI" | "HTTP API";

const PURPOSE: Record<Listener, { for: string; setting: string }> = {
  FastAGI: { for: "FastAGI", setting: "--fastagi or server.fastagi" },
  "HTTP API": { for: "the HTTP API", setting: "--http or server.http" },
};

const REASONS: Record<string, string> = {
  EADDRINUSE: "the address is already in use (another ivr serve, or another program on that port)",
  EADDRNOTAVAIL: "no such address on this machine",
  EACCES: "permission denied (ports below 1024 need privileges)",
};

/**
 * Runs `listen`, turning Bun's bare "Failed to listen at 127.0.0.1" into an error that says
 * which address and port, what for, why, and where to change it.
 */
export function listenOn<T>(what: Listener, address: { hostname: string; port: number }, listen: () => T): T {
  try {
    return listen();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = (typeof code === "string" && REASONS[code]) || (error as Error).message;
    const host = address.hostname.includes(":") ? `[${address.hostname}]` : address.hostname;
    throw new Error(`cannot listen for ${PURPOSE[what].for} on ${host}:${address.port}: ${why}; change ${PURPOSE[what].setting}`, { cause: error });
  }
}
