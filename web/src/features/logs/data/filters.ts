// The Logs page's filters: read from and written to the query string (typed by logSearch), and
// turned into the /api/logs query. Dates are the person's local days (the table shows local
// times), sent as UTC instants; `to` is exclusive on the server, so the request runs to the
// midnight after the last day.
import { localDaysWindow } from "@/lib/days";
import { param, readSearch, type SearchValues } from "@/lib/router";

/**
 * ?key=7&model=…&status=429&from=2026-03-01&to=2026-03-02. Key ids and statuses as text ("" for
 * all); days are local days "YYYY-MM-DD", both included ("" for open-ended).
 */
export const logSearch = {
  key: param.digits(1, Number.MAX_SAFE_INTEGER),
  model: param.text(200),
  status: param.digits(100, 599),
  from: param.day(),
  to: param.day(),
};
export type LogFilters = SearchValues<typeof logSearch>;

export type LogQuery = { key_id?: number; model?: string; status?: number; from?: string; to?: string };

export const PAGE_SIZE = 50;

/** The API filters one exact status, so these are the ones worth looking for. */
export const STATUS_OPTIONS: { value: string; label: string }[] = [
  { value: "200", label: "200 OK" },
  { value: "400", label: "400 Bad request" },
  { value: "401", label: "401 Unauthorized" },
  { value: "402", label: "402 Out of credits" },
  { value: "403", label: "403 Forbidden" },
  { value: "404", label: "404 Not found" },
  { value: "408", label: "408 Timeout" },
  { value: "429", label: "429 Rate limited" },
  { value: "500", label: "500 Server error" },
  { value: "502", label: "502 Provider error" },
  { value: "503", label: "503 Unavailable" },
  { value: "504", label: "504 Provider timeout" },
];

export function readFilters(params: URLSearchParams): LogFilters {
  return readSearch(logSearch, params);
}

export function hasFilters(f: LogFilters): boolean {
  return Boolean(f.key || f.model || f.status || f.from || f.to);
}

/** The /api/logs query for the filters (without cursor and limit). */
export function toQuery(f: LogFilters): LogQuery {
  const q: LogQuery = {};
  if (f.key) q.key_id = Number(f.key);
  if (f.model) q.model = f.model;
  if (f.status) q.status = Number(f.status);
  return { ...q, ...localDaysWindow(f.from, f.to) };
}

export type StatusTone = "success" | "warning" | "destructive" | "secondary";

/** 2xx green, 4xx amber, 5xx red. */
export function statusTone(status: number): StatusTone {
  if (status >= 200 && status < 300) return "success";
  if (status >= 400 && status < 500) return "warning";
  if (status >= 500) return "destructive";
  return "secondary";
}

/** Short words for a status, for people who do not know the codes by heart. */
export function statusText(status: number): string {
  const known = STATUS_OPTIONS.find((o) => o.value === String(status));
  if (known) return known.label.slice(4);
  if (status >= 200 && status < 300) return "Success";
  if (status >= 400 && status < 500) return "Refused";
  if (status >= 500) return "Failed";
  return "";
}

/** Cursor pages: the stack of cursors that led to the current page (empty on the first). */
export type Pager = { stack: string[] };

export function olderPage(p: Pager, nextCursor: string): Pager {
  return { stack: [...p.stack, nextCursor] };
}

export function newerPage(p: Pager): Pager {
  return { stack: p.stack.slice(0, -1) };
}

export function currentCursor(p: Pager): string | undefined {
  return p.stack[p.stack.length - 1];
}
