import { callJson } from "../history/call-json.ts";
import type { History } from "../history/db.ts";
import { type CallFilter, listCalls } from "../history/queries.ts";

/** An export is bounded: a year of a busy PBX is searched by dates, not downloaded whole. */
export const MAX_EXPORT_ROWS = 100_000;
const PAGE = 500;

/**
 * One CSV cell (RFC 4180). A caller name is whatever the carrier sent: a value a spreadsheet
 * would run as a formula (`=HYPERLINK(...)`, `@SUM`, `+cmd|...`) gets a leading apostrophe;
 * a plain number such as `+375291234567` stays as it is.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (/^[=@\t\r]/.test(text) || (/^[+-]/.test(text) && !/^[+-][\d\s().-]*$/.test(text))) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const encoder = new TextEncoder();

/**
 * The calls matching `filter`, newest first, as CSV with the API's column names: read a page
 * at a time as the client takes them (a slow download holds no more than a page in memory),
 * at most `maxRows`.
 */
export function callsCsv(history: History, filter: CallFilter, maxRows = MAX_EXPORT_ROWS): ReadableStream<Uint8Array> {
  let before: number | undefined;
  let sent = 0;
  let header = true;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const rows = sent < maxRows ? listCalls(history, { ...filter, before, limit: Math.min(PAGE, maxRows - sent) }) : [];
        let text = "";
        for (const row of rows) {
          const json = callJson(row);
          if (header) {
            text += `${Object.keys(json).join(",")}\r\n`;
            header = false;
          }
          text += `${Object.values(json).map(csvCell).join(",")}\r\n`;
        }
        if (header) {
          text += `${Object.keys(callJson(EMPTY_ROW)).join(",")}\r\n`;
          header = false;
        }
        sent += rows.length;
        before = rows.at(-1)?.id;
        if (text) controller.enqueue(encoder.encode(text));
        if (rows.length < PAGE || sent >= maxRows) controller.close();
      },
    },
    { highWaterMark: 1 },
  );
}

/** For the header line of an empty export. */
const EMPTY_ROW = {
  id: 0, uniqueid: "", linkedid: null, source: "", direction: "", startedAt: 0, endedAt: null, hungUpAt: null, externalNumber: null, externalNumberRaw: null,
  callerName: null, did: null, digits: null, routeKind: null, destination: null, status: "", answeredBy: null, answeredExtension: null, waitSeconds: null,
  talkSeconds: null, detail: null, recordKey: null, line: null, ringingAt: null, answeredAt: null, callerExtension: null, answeredUserId: null, answeredUser: null,
  queue: null, queueJoinedAt: null, hangupCause: null, hangupCauseText: null, tracked: false, gap: false,
} satisfies Parameters<typeof callJson>[0];
