import { useMemo } from "react";
import { useKeys } from "@/lib/queries";

/** The user's keys by id, for pages that show key ids (the log, activity by key). */
export function useKeyNames() {
  const keys = useKeys();
  return useMemo(() => {
    const names = new Map((keys.data?.keys ?? []).map((k) => [k.id, k.name]));
    return {
      /** The key's name, or undefined for an id not (or not yet) in the list. */
      find: (id: number) => names.get(id),
      /** The key's name; a key that is gone (or not loaded yet) keeps its number: "Key #7". */
      name: (id: number) => names.get(id) ?? `Key #${id}`,
      keys: keys.data?.keys ?? [],
      loaded: keys.data !== undefined,
    };
  }, [keys.data]);
}
