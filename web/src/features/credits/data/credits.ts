import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, call } from "@/lib/api";
import { queryKeys } from "@/lib/queries";

export { useServerConfig } from "@/lib/queries";

/** The API returns at most this many ledger entries; "Load more" grows the page up to it. */
export const TRANSACTIONS_PAGE = 50;
export const TRANSACTIONS_MAX = 200;

export function useBalances() {
  return useQuery({ queryKey: queryKeys.credits, queryFn: () => call(() => api.GET("/api/credits")) });
}

export function useTransactions(limit: number) {
  return useQuery({
    queryKey: [...queryKeys.transactions, limit],
    queryFn: () => call(() => api.GET("/api/credits/transactions", { params: { query: { limit } } })),
    placeholderData: keepPreviousData,
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
