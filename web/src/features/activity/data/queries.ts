// The Activity page's requests. Both read the same rollups: one by day (split into series for a
// breakdown) for the chart and the totals, one by model or key for the table.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { api, call } from "@/lib/api";
import { useKeyNames } from "@/hooks/use-key-names";
import { queryKeys } from "@/lib/queries";
import { apiRange, type DayRange } from "./range";

export function useActivityByDay(range: DayRange | null, split: "model" | "key" | null) {
  const window = range ? apiRange(range) : null;
  return useQuery({
    queryKey: queryKeys.activity({ ...window, group_by: "day", split_by: split }),
    queryFn: () =>
      call(() =>
        api.GET("/api/activity", {
          params: { query: { from: window!.from, to: window!.to, group_by: "day", ...(split ? { split_by: split } : {}) } },
        }),
      ),
    enabled: window !== null,
    placeholderData: keepPreviousData,
  });
}

export function useActivityGrouped(range: DayRange | null, groupBy: "model" | "key") {
  const window = range ? apiRange(range) : null;
  return useQuery({
    queryKey: queryKeys.activity({ ...window, group_by: groupBy }),
    queryFn: () => call(() => api.GET("/api/activity", { params: { query: { from: window!.from, to: window!.to, group_by: groupBy } } })),
    enabled: window !== null,
    placeholderData: keepPreviousData,
  });
}

/** Names a series id: key ids become the key's name; model ids are already readable. */
export function useSeriesNamer(kind: "model" | "key"): (id: string) => string {
  const { find, loaded } = useKeyNames();
  return useCallback(
    (id: string) => (kind === "model" ? id || "Unknown model" : (find(Number(id)) ?? (loaded ? `Deleted key #${id}` : `Key #${id}`))),
    [kind, find, loaded],
  );
}
