import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, call, type Schemas } from "@/lib/api";
import { queryKeys } from "@/lib/queries";

export { useKeys } from "@/lib/queries";

/**
 * After any change the list is stale. Not awaited: the row may disappear on refetch, and the
 * caller's own onSuccess (a toast) must still run first.
 */
function useInvalidateKeys() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.keys });
  };
}

export function useCreateKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (body: Schemas["KeyCreate"]) => call(() => api.POST("/api/keys", { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: Schemas["KeyUpdate"] }) =>
      call(() => api.PATCH("/api/keys/{id}", { params: { path: { id } }, body })).then((r) => r.key),
    onSuccess: invalidate,
  });
}

export function useRotateKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (id: number) => call(() => api.POST("/api/keys/{id}/rotate", { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export function useDeleteKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: (id: number) => call(() => api.DELETE("/api/keys/{id}", { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}
