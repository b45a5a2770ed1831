// CSV for the dashboard's exports (RFC 4180): comma-separated, CRLF line ends, a field quoted when
// it holds a comma, a quote or a line break. Text that a spreadsheet would run as a formula
// (starting with =, +, -, @, tab or CR) is prefixed with an apostrophe, unless it is a number.

export type CsvCell = string | number | boolean | null | undefined;

const NUMBER_RE = /^-?\d+(\.\d+)?$/;

function field(cell: CsvCell): string {
  if (cell === null || cell === undefined) return "";
  let text = String(cell);
  if (typeof cell === "string" && /^[=+\-@\t\r]/.test(text) && !NUMBER_RE.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replaceAll('"', '""') + '"' : text;
}

/** The CSV text of a header row and data rows. */
export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((row) => row.map(field).join(",")).join("\r\n") + "\r\n";
}

/** Offers `text` to the browser as a download named `filename`. */
export function downloadCsv(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.style.display = "none";
  document.body.append(a);
  a.click();
  a.remove();
  // Some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A file name with today's UTC date: "turnpike-logs-2026-03-01.csv". */
export function exportFilename(what: string): string {
  return `turnpike-${what}-${new Date().toISOString().slice(0, 10)}.csv`;
}
