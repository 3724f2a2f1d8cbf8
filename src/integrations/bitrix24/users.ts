import type { Logger } from "../../log.ts";
import type { Bitrix24Client } from "./client.ts";

interface B24User {
  ID: string | number;
  UF_PHONE_INNER?: string | null;
  NAME?: string;
  LAST_NAME?: string;
}

/**
 * Which Bitrix24 user an extension belongs to: the portal's active users by their internal
 * number (UF_PHONE_INNER), read with user.get (50 a page) and kept for `ttlMs`. A stale map
 * is used while a fresh one is read; if reading fails, the old one stays.
 */
export class UserDirectory {
  private byExtension = new Map<string, string>();
  private byId = new Map<string, string>();
  private loadedAt: number | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly client: Bitrix24Client,
    private readonly ttlMs: () => number,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The user of an extension, reading the portal's users first if they were never read. */
  async userOf(extension: string, signal?: AbortSignal): Promise<string | undefined> {
    if (this.loadedAt === undefined) await this.refresh(signal);
    else if (this.clock() - this.loadedAt > this.ttlMs()) void this.refresh(signal).catch(() => {});
    return this.byExtension.get(extension);
  }

  /** The extension of a user, from what is known now (never waits: lookups run under an SLA). */
  extensionOf(userId: string): string | undefined {
    if (this.loadedAt === undefined || this.clock() - this.loadedAt > this.ttlMs()) void this.refresh().catch(() => {});
    return this.byId.get(userId);
  }

  /** The extension of a user, reading the portal's users first when they are missing or old (click-to-call may wait). */
  async extensionOfUser(userId: string, signal?: AbortSignal): Promise<string | undefined> {
    if (this.loadedAt === undefined || this.clock() - this.loadedAt > this.ttlMs() || !this.byId.has(userId)) await this.refresh(signal);
    return this.byId.get(userId);
  }

  refresh(signal?: AbortSignal): Promise<void> {
    this.loading ??= this.load(signal).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(signal?: AbortSignal): Promise<void> {
    const byExtension = new Map<string, string>();
    const byId = new Map<string, string>();
    try {
      for (let start = 0, pages = 0; pages < 200; pages++) {
        const users = await this.client.call<B24User[]>("user.get", { filter: { ACTIVE: true }, start }, signal);
        if (!Array.isArray(users)) break;
        for (const user of users) {
          const extension = String(user.UF_PHONE_INNER ?? "").trim();
          if (!extension) continue;
          byExtension.set(extension, String(user.ID));
          byId.set(String(user.ID), extension);
        }
        if (users.length < 50) break;
        start += 50;
      }
    } catch (error) {
      if (this.loadedAt === undefined) throw error;
      this.log.warn(`bitrix24: reading the users (user.get) failed, keeping the ones read before: ${(error as Error).message}`);
      return;
    }
    this.byExtension = byExtension;
    this.byId = byId;
    this.loadedAt = this.clock();
  }
}
