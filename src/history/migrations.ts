/**
 * Schema changes, in order, as SQL compiled into the binary (nothing beside it on disk).
 * `PRAGMA user_version` records how many have been applied. Never edit a released one:
 * add the next. schema.ts must describe the result; test/history/schema.test.ts checks it.
 */
export const MIGRATIONS: readonly { name: string; sql: string }[] = [
  {
    name: "0001_calls_and_decisions",
    sql: `
      CREATE TABLE calls (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uniqueid TEXT NOT NULL,
        linkedid TEXT,
        source TEXT NOT NULL,
        direction TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        hung_up_at INTEGER,
        external_number TEXT,
        external_number_raw TEXT,
        caller_name TEXT,
        did TEXT,
        digits TEXT,
        route_kind TEXT,
        destination TEXT,
        status TEXT NOT NULL,
        answered_by TEXT,
        answered_extension TEXT,
        wait_seconds INTEGER,
        talk_seconds INTEGER,
        detail TEXT
      );
      CREATE INDEX calls_started_at ON calls (started_at);
      CREATE INDEX calls_external_number ON calls (external_number, started_at);
      CREATE INDEX calls_did ON calls (did, started_at);
      CREATE INDEX calls_uniqueid ON calls (uniqueid);
      CREATE TABLE smart_decisions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        via TEXT NOT NULL,
        enterprise TEXT NOT NULL,
        uniqueid TEXT,
        phone_raw TEXT,
        phone TEXT,
        trunk TEXT,
        mode TEXT NOT NULL,
        rule TEXT,
        outcome TEXT NOT NULL,
        name TEXT,
        dial_plan TEXT,
        reason TEXT,
        latency_ms REAL NOT NULL,
        cached INTEGER NOT NULL
      );
      CREATE INDEX smart_decisions_at ON smart_decisions (at);
      CREATE INDEX smart_decisions_phone ON smart_decisions (phone, at);
      CREATE TABLE meta (
        key TEXT PRIMARY KEY NOT NULL,
        value TEXT NOT NULL
      );
    `,
  },
  {
    name: "0002_record_key_and_raw_numbers",
    sql: `
      ALTER TABLE calls ADD COLUMN record_key TEXT;
      CREATE UNIQUE INDEX calls_record_key ON calls (record_key);
      CREATE INDEX calls_external_number_raw ON calls (external_number_raw, external_number, started_at);
    `,
  },
  {
    // Calls seen on AMI (issue 11): more about each call, its legs and transfers, and every
    // channel uniqueid it had, by which an IVR record and AMI's record of one call meet.
    name: "0003_tracked_calls",
    sql: `
      ALTER TABLE calls ADD COLUMN line TEXT;
      ALTER TABLE calls ADD COLUMN ringing_at INTEGER;
      ALTER TABLE calls ADD COLUMN answered_at INTEGER;
      ALTER TABLE calls ADD COLUMN caller_extension TEXT;
      ALTER TABLE calls ADD COLUMN answered_user_id INTEGER;
      ALTER TABLE calls ADD COLUMN answered_user TEXT;
      ALTER TABLE calls ADD COLUMN queue TEXT;
      ALTER TABLE calls ADD COLUMN queue_joined_at INTEGER;
      ALTER TABLE calls ADD COLUMN hangup_cause INTEGER;
      ALTER TABLE calls ADD COLUMN hangup_cause_text TEXT;
      ALTER TABLE calls ADD COLUMN tracked INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE calls ADD COLUMN gap INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX calls_linkedid ON calls (linkedid);
      CREATE TABLE call_channels (
        uniqueid TEXT PRIMARY KEY NOT NULL,
        call_id INTEGER NOT NULL
      );
      CREATE INDEX call_channels_call ON call_channels (call_id);
      CREATE TABLE call_legs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id INTEGER NOT NULL,
        position INTEGER NOT NULL,
        uniqueid TEXT NOT NULL,
        channel TEXT NOT NULL,
        endpoint TEXT NOT NULL,
        role TEXT NOT NULL,
        trunk INTEGER NOT NULL,
        number TEXT,
        name TEXT,
        queue TEXT,
        member TEXT,
        via TEXT,
        ring_at INTEGER,
        answered_at INTEGER,
        ended_at INTEGER,
        ring_seconds INTEGER,
        talk_seconds INTEGER,
        dial_status TEXT,
        hangup_cause INTEGER
      );
      CREATE INDEX call_legs_call ON call_legs (call_id, position);
      CREATE TABLE call_transfers (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        call_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        result TEXT NOT NULL,
        from_party TEXT,
        transferee TEXT,
        to_party TEXT,
        destination TEXT,
        method TEXT
      );
      CREATE INDEX call_transfers_call ON call_transfers (call_id, at);
      -- A call's legs, transfers and channels go with it (retention deletes calls). A row
      -- merged into another (source 'merged') has already handed them over.
      CREATE TRIGGER calls_children_go_with_call AFTER DELETE ON calls WHEN OLD.source <> 'merged' BEGIN
        DELETE FROM call_legs WHERE call_id = OLD.id;
        DELETE FROM call_transfers WHERE call_id = OLD.id;
        DELETE FROM call_channels WHERE call_id = OLD.id;
      END;
      -- An IVR record written after AMI recorded the same call (a channel of it ran the IVR):
      -- the two become the IVR's row.
      CREATE TRIGGER calls_ivr_joins_tracked AFTER INSERT ON calls
      WHEN NEW.source = 'ivr' AND EXISTS (SELECT 1 FROM call_channels c JOIN calls a ON a.id = c.call_id WHERE c.uniqueid = NEW.uniqueid AND a.source = 'ami')
      BEGIN
        ${mergeTrackedIntoIvr("NEW.id", "NEW.uniqueid")}
      END;
    `,
  },
  {
    // Schedules opened or closed by hand over the API (issue 12): they outlive a restart of
    // ivr serve, and per-call processes read them. One row per schedule.
    name: "0004_schedule_overrides",
    sql: `
      CREATE TABLE schedule_overrides (
        schedule TEXT PRIMARY KEY NOT NULL,
        state TEXT NOT NULL,
        until TEXT NOT NULL,
        set_at INTEGER NOT NULL
      );
    `,
  },
  {
    // Integrations (issue 13): one durable outbox for everything that leaves the product
    // (webhooks, CRM call registration). An event is stored once; each target it goes to
    // has its own delivery row. Sequences number each call's events; cursors say how far
    // the history's own rows (IVR calls, Smart decisions) have been turned into events;
    // integration_calls keeps what a CRM answered about a call (Bitrix24's CALL_ID).
    name: "0005_outbox",
    sql: `
      CREATE TABLE outbox_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        message_id TEXT NOT NULL,
        ordering_key TEXT NOT NULL,
        sequence INTEGER NOT NULL,
        type TEXT NOT NULL,
        at INTEGER NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX outbox_events_message ON outbox_events (message_id);
      CREATE TABLE outbox_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id INTEGER NOT NULL,
        target TEXT NOT NULL,
        ordering_key TEXT NOT NULL,
        state TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        last_attempt_at INTEGER,
        delivered_at INTEGER,
        last_error TEXT
      );
      CREATE INDEX outbox_deliveries_due ON outbox_deliveries (state, next_attempt_at);
      CREATE INDEX outbox_deliveries_open ON outbox_deliveries (target, ordering_key, id) WHERE state <> 'delivered';
      CREATE INDEX outbox_deliveries_event ON outbox_deliveries (event_id);
      CREATE INDEX outbox_deliveries_delivered ON outbox_deliveries (delivered_at) WHERE state = 'delivered';
      CREATE TABLE outbox_sequences (
        ordering_key TEXT PRIMARY KEY NOT NULL,
        sequence INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE outbox_cursors (
        name TEXT PRIMARY KEY NOT NULL,
        last_id INTEGER NOT NULL
      );
      CREATE TABLE integration_calls (
        target TEXT NOT NULL,
        call_id TEXT NOT NULL,
        remote_id TEXT,
        user_id TEXT,
        shown TEXT,
        registered_at INTEGER,
        finished_at INTEGER,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (target, call_id)
      );
      CREATE UNIQUE INDEX integration_calls_remote ON integration_calls (target, remote_id);
    `,
  },
  {
    // Outbound calls (issue 12): the durable dial queue (API requests and campaign numbers,
    // one row each, whatever its attempts), campaigns' state, the keys pressed in their
    // menus, the do-not-call list. A row is claimed (written) before its Originate is sent,
    // so a restart knows what may already be ringing.
    name: "0006_outbound",
    sql: `
      CREATE TABLE outbound_dials (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        kind TEXT NOT NULL,
        campaign TEXT,
        client TEXT NOT NULL,
        enterprise TEXT,
        number TEXT NOT NULL,
        number_raw TEXT,
        extension TEXT,
        queue TEXT,
        menu TEXT,
        trunk TEXT NOT NULL,
        schedule TEXT,
        data TEXT,
        state TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        call_id TEXT,
        not_before INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        claimed_at INTEGER,
        accepted_at INTEGER,
        answered_at INTEGER,
        ended_at INTEGER,
        outcome TEXT,
        stage TEXT,
        detail TEXT,
        hint TEXT,
        keys TEXT NOT NULL DEFAULT ''
      );
      -- Few indexes: every dial is written three times (queued, claimed, done), each write
      -- touching each index. A call id is the dial id (or id.N): found through outbound_dials_id.
      CREATE UNIQUE INDEX outbound_dials_id ON outbound_dials (id);
      CREATE INDEX outbound_dials_due ON outbound_dials (campaign, state, not_before, seq);
      CREATE INDEX outbound_dials_number ON outbound_dials (campaign, number) WHERE campaign IS NOT NULL;
      CREATE TABLE outbound_campaigns (
        name TEXT PRIMARY KEY NOT NULL,
        state TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER
      );
      CREATE TABLE outbound_keys (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        dial_id TEXT NOT NULL,
        call_id TEXT NOT NULL,
        campaign TEXT,
        at INTEGER NOT NULL,
        key TEXT NOT NULL,
        action TEXT NOT NULL
      );
      CREATE INDEX outbound_keys_dial ON outbound_keys (dial_id);
      CREATE INDEX outbound_keys_campaign ON outbound_keys (campaign, action);
      CREATE TABLE outbound_dnc (
        number TEXT PRIMARY KEY NOT NULL,
        added_at INTEGER NOT NULL,
        source TEXT NOT NULL,
        campaign TEXT,
        note TEXT
      );
    `,
  },
  {
    // What Smart Redirect asks about every caller (queries.ts callerFacts), each answered by
    // one seek in an index that holds the answer: the last answered extension and the last
    // name by E.164 (before, each row on the way was fetched from the table to test its
    // status or name), and both by spelling among the rows stored without an E.164 form
    // only (calls_external_number_raw holds every row: a seek through a million entries
    // for what usually is no row at all).
    name: "0007_caller_lookups",
    sql: `
      CREATE INDEX calls_answered_by_number ON calls (external_number, started_at, answered_extension) WHERE status = 'answered' AND answered_extension IS NOT NULL;
      CREATE INDEX calls_named_by_number ON calls (external_number, started_at, caller_name) WHERE caller_name IS NOT NULL;
      CREATE INDEX calls_unnormalized_number ON calls (external_number_raw, started_at) WHERE external_number IS NULL;
    `,
  },
];

/**
 * SQL that merges AMI's record of a call into the IVR's record of it: the IVR row (id
 * `ivrId`, its channel `ivrUniqueid`) survives with its id, AMI's row is deleted after
 * handing over its legs, transfers and channels. The IVR keeps what it knows best (keys,
 * route, its status unless AMI saw the call answered, who answered unless AMI saw a
 * transfer); AMI adds the rest and its measured times. Used by the trigger above (IVR row
 * second) and by the tracker's store (AMI row second), so both orders give the same row.
 * Part of migration 0003: a later change of the rule is a new migration with a new function.
 */
export function mergeTrackedIntoIvr(ivrId: string, ivrUniqueid: string): string {
  // AMI's row: the call the IVR's channel belongs to. Channels move last, so this finds it to the end.
  const ami = `(SELECT call_id FROM call_channels WHERE uniqueid = ${ivrUniqueid} AND call_id <> ${ivrId})`;
  const transferred = "EXISTS (SELECT 1 FROM call_transfers t WHERE t.call_id = a.id AND t.result = 'Success')";
  const amiAnswered = `(calls.answered_extension IS NULL OR ${transferred})`;
  return `
        UPDATE calls SET
          linkedid = a.linkedid,
          direction = a.direction,
          ended_at = coalesce(a.ended_at, calls.ended_at),
          external_number = coalesce(calls.external_number, a.external_number),
          external_number_raw = coalesce(calls.external_number_raw, a.external_number_raw),
          caller_name = coalesce(calls.caller_name, a.caller_name),
          did = coalesce(calls.did, a.did),
          status = CASE WHEN a.status = 'answered' THEN 'answered' ELSE calls.status END,
          answered_by = CASE WHEN ${amiAnswered} THEN coalesce(a.answered_by, calls.answered_by) ELSE calls.answered_by END,
          answered_extension = CASE WHEN ${amiAnswered} THEN coalesce(a.answered_extension, calls.answered_extension) ELSE calls.answered_extension END,
          answered_user_id = CASE WHEN ${amiAnswered} OR calls.answered_extension = a.answered_extension THEN a.answered_user_id END,
          answered_user = CASE WHEN ${amiAnswered} OR calls.answered_extension = a.answered_extension THEN a.answered_user END,
          wait_seconds = coalesce(a.wait_seconds, calls.wait_seconds),
          talk_seconds = coalesce(a.talk_seconds, calls.talk_seconds),
          line = a.line,
          ringing_at = a.ringing_at,
          answered_at = a.answered_at,
          caller_extension = a.caller_extension,
          queue = coalesce(a.queue, calls.queue),
          queue_joined_at = a.queue_joined_at,
          hangup_cause = a.hangup_cause,
          hangup_cause_text = a.hangup_cause_text,
          tracked = 1,
          gap = a.gap
        FROM (SELECT * FROM calls WHERE id = ${ami}) AS a
        WHERE calls.id = ${ivrId};
        UPDATE call_legs SET call_id = ${ivrId} WHERE call_id = ${ami};
        UPDATE call_transfers SET call_id = ${ivrId} WHERE call_id = ${ami};
        UPDATE calls SET source = 'merged' WHERE id = ${ami};
        DELETE FROM calls WHERE id = ${ami} AND source = 'merged';
        UPDATE call_channels SET call_id = ${ivrId} WHERE call_id = ${ami};`;
}
