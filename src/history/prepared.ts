import type { SQLQueryBindings, Statement } from "bun:sqlite";
import { getTableColumns, getTableName, type InferInsertModel, is, SQL, type Table } from "drizzle-orm";
import type { History } from "./db.ts";

/**
 * Statements made once per open database. Drizzle builds and prepares its SQL again on
 * every query (a quarter of a millisecond for a calls row, most of a Smart lookup's time),
 * too slow for a busy PBX: the query layer prepares each statement the first time a
 * database needs it and keeps it for as long as that database is open.
 */
export function perDatabase<T>(make: (history: History) => T): (history: History) => T {
  const made = new WeakMap<History, T>();
  return (history) => {
    let value = made.get(history);
    if (value === undefined) made.set(history, (value = make(history)));
    return value;
  };
}

export interface InsertSql<T extends Table> {
  readonly sql: string;
  /** The row's values in the statement's column order, each through its column's own mapping (booleans to 0/1). */
  values(row: InferInsertModel<T>): SQLQueryBindings[];
}

export interface PreparedInsert<T extends Table> extends InsertSql<T> {
  readonly statement: Statement;
}

/** insertSql, prepared on the history's connection. */
export function prepareInsert<T extends Table>(history: History, table: T, tail = ""): PreparedInsert<T> {
  const insert = insertSql(table, tail);
  return { ...insert, statement: history.sqlite.prepare(insert.sql) };
}

/**
 * INSERT of every column of `table` but an integer primary key, from schema.ts; `tail` follows
 * the VALUES (ON CONFLICT ..., RETURNING ...). A value left undefined takes the column's
 * default from the schema, as drizzle's own insert would.
 */
export function insertSql<T extends Table>(table: T, tail = ""): InsertSql<T> {
  const columns = Object.entries(getTableColumns(table)).filter(([, column]) => !(column.primary && column.columnType === "SQLiteInteger"));
  for (const [key, column] of columns) {
    if (is(column.default, SQL)) throw new Error(`insertSql: ${getTableName(table)}.${key} has an SQL default, which a prepared insert cannot take`);
  }
  const names = columns.map(([, column]) => column.name).join(", ");
  const sql = `INSERT INTO ${getTableName(table)} (${names}) VALUES (${columns.map(() => "?").join(", ")})${tail ? ` ${tail}` : ""}`;
  const values = (row: InferInsertModel<T>) => {
    const fields = row as Record<string, unknown>;
    const bindings: SQLQueryBindings[] = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const [key, column] = columns[i]!;
      const value = fields[key] === undefined ? column.default : fields[key];
      bindings[i] = value === undefined || value === null ? null : (column.mapToDriverValue(value) as SQLQueryBindings);
    }
    return bindings;
  };
  return { sql, values };
}
