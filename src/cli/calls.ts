import { loadConfigFile } from "../config/load.ts";
import { findConfig } from "../config/paths.ts";
import type { IvrConfig } from "../config/schema.ts";
import { existsSync } from "node:fs";
import { openHistoryReadOnly } from "../history/db.ts";
import { databasePath } from "../history/location.ts";
import { phoneSearch } from "../history/country.ts";
import { listCalls } from "../history/queries.ts";
import { spoolDirFor, spooledCount } from "../history/spool.ts";
import { callJson } from "../history/call-json.ts";
import { unknownStatus } from "../history/statuses.ts";
import { CommandFailure, parseCount, parseFlags, UsageError } from "./args.ts";
import { orCommandFailure } from "./load-config.ts";

/** `ivr calls`: the call history, newest first, as a table or JSON lines. */
export async function runCalls(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    config: { type: "string" },
    db: { type: "string" },
    phone: { type: "string" },
    did: { type: "string" },
    status: { type: "string" },
    limit: { type: "string" },
    json: { type: "boolean" },
  });
  const badStatus = values.status === undefined ? undefined : unknownStatus(values.status);
  if (badStatus) throw new UsageError(`--status: ${badStatus}`);
  const limit = parseCount(values.limit, "--limit") ?? 20;
  // The config gives the database path and the countries numbers are normalized with; neither is required.
  const location = findConfig(values.config);
  const config: IvrConfig = location ? orCommandFailure(() => loadConfigFile(location.path)).config : {};
  // Read-only: an administrator running this as root must not create files the asterisk
  // user's per-call processes then cannot write.
  const path = databasePath(values.db, config.database, location?.path);
  if (!existsSync(path)) {
    const chosenBy = values.db ? "" : process.env.IVR_DB ? " ($IVR_DB)" : location ? ` (by ${location.path})` : " (no config found, so the default)";
    throw new CommandFailure(`no call history at ${path}${chosenBy}: no call recorded there yet; give --config, --db or $IVR_DB for another`);
  }
  const history = openHistoryReadOnly(path);
  try {
    // The number in any spelling: E.164 in each configured country, or as it was stored.
    const phone = values.phone ? phoneSearch(values.phone, config) : undefined;
    const rows = listCalls(history, { phone, did: values.did, status: values.status, limit }).map(callJson);
    if (values.json) {
      for (const row of rows) process.stdout.write(`${JSON.stringify(row)}\n`);
      return 0;
    }
    const table = [
      ["id", "started (UTC)", "caller", "did", "keys", "destination", "status", "answered by", "wait", "talk"],
      ...rows.map((r) => [
        String(r.id),
        (r.started_at ?? "").replace("T", " ").slice(0, 19),
        r.external_number ?? r.external_number_raw ?? "-",
        r.did ?? "-",
        r.digits || "-",
        r.destination ? `${r.route_kind} ${r.destination}` : "-",
        r.status,
        r.answered_extension ?? r.answered_by ?? "-",
        r.wait_seconds === null ? "-" : `${r.wait_seconds}s`,
        r.talk_seconds === null ? "-" : `${r.talk_seconds}s`,
      ]),
    ];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
    const lines = table.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd());
    process.stdout.write(`${lines.join("\n")}\n${rows.length ? "" : "(no calls)\n"}`);
    const waiting = spooledCount(spoolDirFor(path));
    if (waiting) process.stderr.write(`${waiting} more calls wait in ${spoolDirFor(path)} (the history was busy or failing): the next call or ivr serve imports them\n`);
    return 0;
  } finally {
    history.close();
  }
}
