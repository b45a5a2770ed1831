import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, call, type Transaction } from "@/lib/api";
import { queryKeys } from "@/lib/queries";
import type { HistoryQuery } from "./history";

export { useServerConfig } from "@/lib/queries";

/** History lines per page; "Load more" asks for the next (older) page by cursor. */
export const TRANSACTIONS_PAGE = 50;
/** The export reads pages this big, and at most EXPORT_MAX_LINES lines. */
const EXPORT_PAGE = 200;
export const EXPORT_MAX_LINES = 10_000;
/** While a request runs its line shows a hold; the history is re-read this often until it settles. */
const RUNNING_REFRESH_MS = 3_000;

export function useBalances() {
  return useQuery({ queryKey: queryKeys.credits, queryFn: () => call(() => api.GET("/api/credits")) });
}

/**
 * The history for `query`, newest first, one page of TRANSACTIONS_PAGE at a time: each page's
 * `next_before` (null on the last page) is the `before` of the next. A refetch (after a top-up,
 * say) reloads the pages in order from the newest, so the cursors stay consistent and no line
 * shows twice; a line keeps its place when its request settles.
 */
export function useTransactions(query: HistoryQuery, enabled = true) {
  return useInfiniteQuery({
    enabled,
    queryKey: [...queryKeys.transactions, query],
    queryFn: ({ pageParam }) =>
      call(() =>
        api.GET("/api/credits/transactions", { params: { query: { ...query, limit: TRANSACTIONS_PAGE, before: pageParam ?? undefined } } }),
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before,
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.transactions.some((t) => t.running)) ? RUNNING_REFRESH_MS : false),
  });
}

/** Every line for `query` (up to EXPORT_MAX_LINES), for the CSV export; `truncated` when more exist. */
export async function fetchAllTransactions(query: HistoryQuery): Promise<{ lines: Transaction[]; truncated: boolean }> {
  const lines: Transaction[] = [];
  let before: number | null = null;
  for (;;) {
    const page = await call(() =>
      api.GET("/api/credits/transactions", { params: { query: { ...query, limit: EXPORT_PAGE, before: before ?? undefined } } }),
    );
    lines.push(...page.transactions);
    before = page.next_before;
    if (before === null) return { lines, truncated: false };
    if (lines.length >= EXPORT_MAX_LINES) return { lines, truncated: true };
  }
}

/** Balance, ledger and the header's balance (from /api/me) all change together. */
export function useRefreshCredits() {
  const queryClient = useQueryClient();
  return useCallback(() => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.credits });
    void queryClient.invalidateQueries({ queryKey: queryKeys.me });
  }, [queryClient]);
}

export function useCheckout() {
  const refresh = useRefreshCredits();
  return useMutation({
    mutationFn: (amountUsd: string) => call(() => api.POST("/api/credits/checkout", { body: { amount_usd: amountUsd } })),
    onSuccess: (result) => {
      if (result.topup.status === "completed") refresh();
    },
  });
}
