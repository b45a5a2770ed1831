import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, call } from "@/lib/api";
import { queryKeys, useCatalog } from "@/lib/queries";
import { PAGE_SIZE, type LogQuery } from "./filters";

/** One page of the log. The first page refreshes every 10 s, so new requests show up. */
export function useLogs(query: LogQuery, cursor: string | undefined) {
  return useQuery({
    queryKey: queryKeys.logs({ ...query, cursor: cursor ?? null }),
    queryFn: () => call(() => api.GET("/api/logs", { params: { query: { ...query, ...(cursor ? { cursor } : {}), limit: PAGE_SIZE } } })),
    placeholderData: keepPreviousData,
    refetchInterval: cursor === undefined ? 10_000 : false,
  });
}

export function useLog(id: string) {
  return useQuery({
    queryKey: queryKeys.log(id),
    queryFn: () => call(() => api.GET("/api/logs/{id}", { params: { path: { id } } })),
  });
}

/** Provider id → display name from the catalog (the id until it loads), and the model ids. */
export function useCatalogNames() {
  const catalog = useCatalog();
  return useMemo(() => {
    const names = new Map((catalog.data?.providers ?? []).map((p) => [p.id, p.name]));
    return {
      providerName: (id: string) => names.get(id) ?? id,
      modelIds: (catalog.data?.models ?? []).map((m) => m.id),
    };
  }, [catalog.data]);
}
