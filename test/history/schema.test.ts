import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { applyMigrations, NewerSchemaError } from "../../src/history/migrate.ts";
import { MIGRATIONS } from "../../src/history/migrations.ts";
import { calls, meta, outboundCampaigns, outboundDials, outboundDnc, outboundKeys, scheduleOverrides, smartDecisions } from "../../src/history/schema.ts";
import { tempHistory } from "../helpers/history.ts";

test("the embedded migrations create exactly the tables, columns and indexes schema.ts describes", () => {
  const history = tempHistory();
  for (const table of [calls, smartDecisions, meta, scheduleOverrides, outboundDials, outboundCampaigns, outboundKeys, outboundDnc]) {
    const config = getTableConfig(table);
    const columns = history.sqlite.query(`PRAGMA table_info(${config.name})`).all() as Array<{ name: string; type: string; notnull: number; pk: number }>;
    // An INTEGER PRIMARY KEY is the rowid: SQLite reports it as nullable, though it never is.
    expect(columns.map((c) => [c.name, c.type, c.pk > 0, c.pk > 0 || c.notnull === 1])).toEqual(
      config.columns.map((c) => [c.name, c.getSQLType().toUpperCase(), c.primary, c.notNull || c.primary]),
    );
    const indexes = (history.sqlite.query(`PRAGMA index_list(${config.name})`).all() as Array<{ name: string; origin: string }>)
      .filter((i) => i.origin === "c")
      .map((i) => i.name)
      .sort();
    expect(indexes).toEqual(config.indexes.map((i) => i.config.name).sort());
  }
});

test("migrating twice does nothing; the version is recorded in user_version", () => {
  const history = tempHistory();
  expect(history.sqlite.query("PRAGMA user_version").get()).toEqual({ user_version: MIGRATIONS.length });
  expect(applyMigrations(history.sqlite)).toBe(0);
});

test("a database from a newer ivr is refused with a clear error, nothing changed", () => {
  const sqlite = new Database(":memory:");
  sqlite.run(`PRAGMA user_version = ${MIGRATIONS.length + 1}`);
  expect(() => applyMigrations(sqlite)).toThrow(NewerSchemaError);
  expect(() => applyMigrations(sqlite)).toThrow(/newer than this ivr knows/);
});

test("WAL mode and a busy timeout are set on every connection", () => {
  const history = tempHistory();
  expect(history.sqlite.query("PRAGMA journal_mode").get()).toEqual({ journal_mode: "wal" });
  expect((history.sqlite.query("PRAGMA busy_timeout").get() as { timeout: number }).timeout).toBeGreaterThanOrEqual(1000);
});
