// Catalog administration: providers, companies, models and their endpoints. Every change
// refreshes the public catalog (useCatalog), which the rest of the dashboard reads.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, type Schemas } from "@/lib/api";
import { queryKeys } from "@/lib/queries";

export type AdminProvider = Schemas["AdminProvider"];
export type PriceChange = Schemas["PriceChange"];

export const adminKeys = {
  /** What the admin API told us about providers (the public catalog lacks `enabled` and `base_url_env`). */
  providerStates: ["admin", "provider-states"] as const,
  priceHistory: (model: string, provider: string) => ["admin", "prices", model, provider] as const,
};

function useCatalogMutation<TVars, TData>(fn: (vars: TVars) => Promise<TData>, after?: (data: TData, vars: TVars) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (data, vars) => {
      after?.(data, vars);
      await queryClient.invalidateQueries({ queryKey: queryKeys.catalog });
    },
  });
}

/** Provider states learnt from admin answers, by id. */
export function useProviderStates(): Record<string, AdminProvider> {
  const { data } = useQuery<Record<string, AdminProvider>>({
    queryKey: adminKeys.providerStates,
    queryFn: () => ({}),
    staleTime: Infinity,
    gcTime: Infinity,
  });
  return data ?? {};
}

function useRememberProvider() {
  const queryClient = useQueryClient();
  return (p: AdminProvider) =>
    queryClient.setQueryData<Record<string, AdminProvider>>(adminKeys.providerStates, (old) => ({ ...old, [p.id]: p }));
}

export function useCreateProvider() {
  const remember = useRememberProvider();
  return useCatalogMutation(
    (body: Schemas["ProviderCreate"]) => call(() => api.POST("/api/admin/providers", { body })),
    (res) => remember(res.provider),
  );
}

export function useUpdateProvider() {
  const remember = useRememberProvider();
  return useCatalogMutation(
    ({ id, change }: { id: string; change: Schemas["ProviderUpdate"] }) =>
      call(() => api.PATCH("/api/admin/providers/{id}", { params: { path: { id } }, body: change })),
    (res) => remember(res.provider),
  );
}

export function useDeleteProvider() {
  return useCatalogMutation((id: string) => call(() => api.DELETE("/api/admin/providers/{id}", { params: { path: { id } } })));
}

export function useCreateCompany() {
  return useCatalogMutation((body: Schemas["CompanyCreate"]) => call(() => api.POST("/api/admin/companies", { body })));
}

export function useUpdateCompany() {
  return useCatalogMutation(({ id, change }: { id: string; change: Schemas["CompanyUpdate"] }) =>
    call(() => api.PATCH("/api/admin/companies/{id}", { params: { path: { id } }, body: change })),
  );
}

export function useDeleteCompany() {
  return useCatalogMutation((id: string) => call(() => api.DELETE("/api/admin/companies/{id}", { params: { path: { id } } })));
}

export function useCreateModel() {
  return useCatalogMutation((body: Schemas["ModelCreate"]) => call(() => api.POST("/api/admin/models", { body })));
}

export function useDeleteModel() {
  return useCatalogMutation((id: string) => call(() => api.DELETE("/api/admin/models/{id}", { params: { path: { id } } })));
}

export function usePutEndpoint() {
  const queryClient = useQueryClient();
  return useCatalogMutation(
    ({ model, provider, body }: { model: string; provider: string; body: Schemas["EndpointPut"] }) =>
      call(() => api.PUT("/api/admin/models/{id}/endpoints/{provider}", { params: { path: { id: model, provider } }, body })),
    (_res, { model, provider }) => void queryClient.invalidateQueries({ queryKey: adminKeys.priceHistory(model, provider) }),
  );
}

export function useDeleteEndpoint() {
  return useCatalogMutation(({ model, provider }: { model: string; provider: string }) =>
    call(() => api.DELETE("/api/admin/models/{id}/endpoints/{provider}", { params: { path: { id: model, provider } } })),
  );
}

export function usePriceHistory(model: string, provider: string, enabled = true) {
  return useQuery({
    queryKey: adminKeys.priceHistory(model, provider),
    queryFn: () => call(() => api.GET("/api/admin/models/{id}/endpoints/{provider}/prices", { params: { path: { id: model, provider } } })),
    enabled,
  });
}
