import type { History } from "../history/db.ts";

/** What a CRM knows of one of our calls, kept across attempts and restarts (integration_calls). */
export interface CrmCallState {
  /** The CRM's id for the call (Bitrix24's CALL_ID). */
  remoteId: string | null;
  /** The CRM user it was registered to. */
  userId: string | null;
  /** Who was shown the call (users, or RetailCRM's codes), and who had it hidden again. */
  shown: string[];
  hidden: string[];
  registeredAt: number | null;
  finishedAt: number | null;
  /** The recording was attached (Bitrix24's attachRecord comes after finish). */
  recorded: boolean;
}

/** A CALL_ID the CRM gave for another of our calls: it must not be shared. */
export class SharedRemoteId extends Error {
  override name = "SharedRemoteId";
}

/**
 * integration_calls: read and written between the requests of one delivery, so that a
 * delivery retried (after a failure or a restart) picks up where the last attempt stopped:
 * never a second register, never a second finish.
 */
export class CrmCallStore {
  private readonly sql;

  constructor(
    private readonly history: History,
    private readonly target: string,
    private readonly clock: () => number = Date.now,
  ) {
    const db = history.sqlite;
    this.sql = {
      get: db.prepare("SELECT remote_id AS remoteId, user_id AS userId, shown, registered_at AS registeredAt, finished_at AS finishedAt FROM integration_calls WHERE target = ? AND call_id = ?"),
      owner: db.prepare("SELECT call_id AS callId FROM integration_calls WHERE target = ? AND remote_id = ? AND call_id <> ?"),
      upsert: db.prepare(
        `INSERT INTO integration_calls (target, call_id, remote_id, user_id, shown, registered_at, finished_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (target, call_id) DO UPDATE SET remote_id = excluded.remote_id, user_id = excluded.user_id, shown = excluded.shown,
           registered_at = excluded.registered_at, finished_at = excluded.finished_at, updated_at = excluded.updated_at`,
      ),
    };
  }

  get(callId: string): CrmCallState {
    const row = this.sql.get.get(this.target, callId) as { remoteId: string | null; userId: string | null; shown: string | null; registeredAt: number | null; finishedAt: number | null } | null;
    if (!row) return { remoteId: null, userId: null, shown: [], hidden: [], registeredAt: null, finishedAt: null, recorded: false };
    const lists = row.shown ? (JSON.parse(row.shown) as { shown?: string[]; hidden?: string[]; recorded?: boolean }) : {};
    return { remoteId: row.remoteId, userId: row.userId, shown: lists.shown ?? [], hidden: lists.hidden ?? [], registeredAt: row.registeredAt, finishedAt: row.finishedAt, recorded: lists.recorded ?? false };
  }

  /** The call the CRM already gave this id to, if another. */
  ownerOf(remoteId: string, callId: string): string | undefined {
    return (this.sql.owner.get(this.target, remoteId, callId) as { callId: string } | null)?.callId;
  }

  save(callId: string, state: CrmCallState): void {
    if (state.remoteId) {
      const owner = this.ownerOf(state.remoteId, callId);
      if (owner) throw new SharedRemoteId(`the CRM answered with the id it gave call ${owner} (${state.remoteId}): not shared`);
    }
    this.sql.upsert.run(this.target, callId, state.remoteId, state.userId, JSON.stringify({ shown: state.shown, hidden: state.hidden, recorded: state.recorded }), state.registeredAt, state.finishedAt, this.clock());
  }
}
