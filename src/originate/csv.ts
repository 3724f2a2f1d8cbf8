import type { NumberEntry } from "./campaign.ts";

/** Rows of CSV text (RFC 4180: quoted fields with "" for a quote, CRLF or LF), each with its line number. */
export function parseCsv(text: string, separator = ","): Array<{ line: number; cells: string[] }> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = () => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== "")) rows.push({ line: rowLine, cells });
    cells = [];
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === "") {
      quoted = true;
      cell = "";
    } else if (ch === separator) {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRow();
      rowLine = ++line;
    } else {
      cell += ch;
    }
  }
  if (cell !== "" || cells.length) endRow();
  return rows;
}

const NUMBER_HEADERS = /^(number|phone|phone_number|tel|telephone|msisdn)$/i;

/**
 * A campaign's numbers from CSV: one per row. With a header row (its cells have no digits),
 * the number is the column called number/phone/tel (else the first), and the other columns
 * become the row's data, by their headers; without one, the first column is the number and
 * the others are data as column2, column3... A `;` separated file (a spreadsheet's export in
 * many countries) is recognized by its first line.
 */
export function numbersFromCsv(text: string): NumberEntry[] {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const separator = firstLine.includes(";") && !firstLine.includes(",") ? ";" : ",";
  const rows = parseCsv(text.replace(/^\uFEFF/, ""), separator);
  if (rows.length === 0) return [];
  const header = rows[0]!.cells.every((cell) => !/\d/.test(cell)) ? rows.shift()!.cells.map((cell) => cell.trim()) : undefined;
  const numberAt = Math.max(0, header?.findIndex((name) => NUMBER_HEADERS.test(name)) ?? 0);
  return rows.map(({ line, cells }) => {
    const data: Record<string, string> = {};
    cells.forEach((cell, i) => {
      if (i !== numberAt) data[header?.[i] || `column${i + 1}`] = cell.trim();
    });
    return { number: (cells[numberAt] ?? "").trim(), line, ...(Object.keys(data).length ? { data } : {}) };
  });
}
