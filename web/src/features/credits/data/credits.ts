import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, call } from "@/lib/api";
import { queryKeys } from "@/lib/queries";

export { useServerConfig } from "@/lib/queries";

/** Ledger entries per request; "Load more" asks for the next (older) page by cursor. */
export const TRANSACTIONS_PAGE = 50;

export function useBalances() {
  return useQuery({ queryKey: queryKeys.credits, queryFn: () => call(() => api.GET("/api/credits")) });
}

/**
 * The ledger, newest first, one page of TRANSACTIONS_PAGE at a time: each page's `next_before`
 * (null on the last page) is the `before` of the next. A refetch (after a top-up, say) reloads the
 * pages in order from the newest, so the cursors stay consistent and no entry shows twice.
 */
export function useTransactions() {
  return useInfiniteQuery({
    queryKey: queryKeys.transactions,
    queryFn: ({ pageParam }) =>
      call(() => api.GET("/api/credits/transactions", { params: { query: { limit: TRANSACTIONS_PAGE, before: pageParam ?? undefined } } })),
    initialPageParam: null as number | null,
    getNextPageParam: (last) => last.next_before,
  });
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
