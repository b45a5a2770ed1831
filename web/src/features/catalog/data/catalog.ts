// Catalog administration: providers, companies, models and their endpoints. The page reads the
// admin listing (GET /api/admin/catalog: disabled entries too, with `enabled`, `base_url_env`,
// unavailable reasons and scheduled prices). Every change refreshes it and the public catalog
// (useCatalog), which the rest of the dashboard reads.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, type Schemas } from "@/lib/api";
import type { paths } from "@/lib/api-types";
import { queryKeys } from "@/lib/queries";

export type AdminProvider = Schemas["AdminProvider"];
export type AdminModel = Schemas["AdminModel"];
export type AdminEndpoint = Schemas["AdminEndpoint"];
export type ScheduledPrices = Schemas["ScheduledPrices"];
export type PriceChange = Schemas["PriceChange"];
/** The admin listing: every company, provider and model, disabled ones included. */
export type AdminCatalog = paths["/api/admin/catalog"]["get"]["responses"][200]["content"]["application/json"];

export const adminKeys = {
  catalog: ["admin", "catalog"] as const,
  priceHistory: (model: string, provider: string) => ["admin", "prices", model, provider] as const,
};

/** The catalog as admins edit it. */
export function useAdminCatalog() {
  return useQuery({
    queryKey: adminKeys.catalog,
    queryFn: () => call(() => api.GET("/api/admin/catalog")),
  });
}

function useCatalogMutation<TVars, TData>(fn: (vars: TVars) => Promise<TData>, after?: (data: TData, vars: TVars) => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (data, vars) => {
      after?.(data, vars);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: adminKeys.catalog }),
        queryClient.invalidateQueries({ queryKey: queryKeys.catalog }),
      ]);
    },
  });
}

export function useCreateProvider() {
  return useCatalogMutation((body: Schemas["ProviderCreate"]) => call(() => api.POST("/api/admin/providers", { body })));
}

export function useUpdateProvider() {
  return useCatalogMutation(({ id, change }: { id: string; change: Schemas["ProviderUpdate"] }) =>
    call(() => api.PATCH("/api/admin/providers/{id}", { params: { path: { id } }, body: change })),
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
