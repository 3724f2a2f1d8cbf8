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
];
