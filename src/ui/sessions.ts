import { createHash, randomBytes } from "node:crypto";

/** A signed-in browser. `csrf` goes into the pages and must come back with every POST. */
export interface Session {
  readonly csrf: string;
  readonly createdAt: number;
  seenAt: number;
}

export interface SessionLimits {
  /** Signed out after this long without a request. */
  idleMs: number;
  /** Signed out this long after signing in, however busy. */
  maxMs: number;
  /** The oldest are signed out past this many (a bound on memory, whatever a client does). */
  maxSessions: number;
}

/** An operator's shift with a break; a week at most, then the token is asked again. */
export const SESSION_LIMITS: SessionLimits = { idleMs: 12 * 3_600_000, maxMs: 7 * 86_400_000, maxSessions: 1000 };

const digest = (value: string) => createHash("sha256").update(value).digest("base64url");

interface Entry {
  session: Session;
  /** The admin token the session was opened with: a new token in the config signs everyone out. */
  tokenDigest: string;
}

/**
 * Server-side sessions of the operator page, in memory (a restart of ivr serve signs
 * everyone out). The cookie holds a random 256-bit id; the map is keyed by its digest, so
 * neither a memory dump nor a lookup's timing gives a usable id.
 */
export class SessionStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limits: SessionLimits = SESSION_LIMITS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** A new session for a browser that gave `adminToken`; returns its id (for the cookie) and the session. */
  open(adminToken: string): { id: string; session: Session } {
    const id = randomBytes(32).toString("base64url");
    const now = this.clock();
    const session: Session = { csrf: randomBytes(32).toString("base64url"), createdAt: now, seenAt: now };
    while (this.entries.size >= this.limits.maxSessions) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest(id), { session, tokenDigest: digest(adminToken) });
    return { id, session };
  }

  /** The session of this id if it is still valid with the admin token in force; a valid one counts as used now. */
  find(id: string | undefined, adminToken: string): Session | undefined {
    if (!id) return undefined;
    const key = digest(id);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.clock();
    const { session } = entry;
    if (entry.tokenDigest !== digest(adminToken) || now - session.seenAt > this.limits.idleMs || now - session.createdAt > this.limits.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    session.seenAt = now;
    // Most recently used last: the bound evicts the least recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return session;
  }

  close(id: string | undefined): void {
    if (id) this.entries.delete(digest(id));
  }

  get size(): number {
    return this.entries.size;
  }
}
