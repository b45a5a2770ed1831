// The credit history's filters (kept in the URL), their API query, and its CSV export.
import type { Transaction } from "@/lib/api";
import { toCsv } from "@/lib/csv";
import { localDaysWindow } from "@/lib/days";
import { microsToUsdText } from "@/lib/money";
import { param, type SearchValues } from "@/lib/router";

export const HISTORY_TYPES = ["", "request", "topup", "grant", "deduct", "refund"] as const;
export type HistoryType = (typeof HISTORY_TYPES)[number];

export const TYPE_OPTIONS: { value: HistoryType; label: string }[] = [
  { value: "", label: "All types" },
  { value: "request", label: "Requests" },
  { value: "topup", label: "Top-ups" },
  { value: "grant", label: "Grants" },
  { value: "deduct", label: "Deductions" },
  { value: "refund", label: "Refunds" },
];

/** ?type=request&from=2026-03-01&to=2026-03-31: days are the person's local days, both included. */
export const historySearch = { type: param.oneOf(HISTORY_TYPES, ""), from: param.day(), to: param.day() };
export type HistoryFilters = SearchValues<typeof historySearch>;

export type HistoryQuery = { type?: Exclude<HistoryType, "">; from?: string; to?: string };

export function hasFilters(f: HistoryFilters): boolean {
  return Boolean(f.type || f.from || f.to);
}

/** The /api/credits/transactions query for the filters (without cursor and limit). */
export function historyQuery(f: HistoryFilters): HistoryQuery {
  const q: HistoryQuery = localDaysWindow(f.from, f.to);
  if (f.type) q.type = f.type;
  return q;
}

/** A day range that the server would refuse (the last day before the first). */
export function rangeError(f: HistoryFilters): string | null {
  return f.from && f.to && f.to < f.from ? "The last day is before the first." : null;
}

export const KIND_LABELS: Record<Transaction["kind"], string> = {
  request: "Request",
  topup: "Top-up",
  grant: "Grant",
  deduct: "Deduction",
  refund: "Refund",
};

/** The lines as CSV: times in UTC (ISO 8601), amounts as exact signed USD decimals. */
export function historyCsv(lines: Transaction[]): string {
  return toCsv(
    ["date_utc", "type", "amount_usd", "status", "request_id", "note", "settled_at_utc"],
    lines.map((t) => [
      t.created_at,
      KIND_LABELS[t.kind],
      microsToUsdText(t.amount_micros),
      t.kind !== "request" ? "" : t.running ? "running (held)" : "charged",
      t.request_id,
      t.note,
      t.settled_at,
    ]),
  );
}
