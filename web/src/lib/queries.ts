// Queries shared by several features. Feature-specific queries live in their feature folder.
import { MutationCache, QueryCache, QueryClient, useQuery } from "@tanstack/react-query";
import { api, ApiError, call } from "./api";

/**
 * The client every page shares. When any call answers 401 (the session expired, was revoked, or
 * the user was disabled), the signed-in user is re-read: it comes back null and the app returns
 * to the sign-in page, keeping where the user was in `next`.
 */
export function makeQueryClient() {
  const onError = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) void client.invalidateQueries({ queryKey: queryKeys.me });
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: true,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
      mutations: { retry: false },
    },
  });
  return client;
}

export const queryKeys = {
  me: ["me"] as const,
  config: ["config"] as const,
  catalog: ["catalog"] as const,
  keys: ["keys"] as const,
  credits: ["credits"] as const,
  transactions: ["credits", "transactions"] as const,
  logs: (filters: Record<string, unknown>) => ["logs", filters] as const,
  log: (id: string) => ["logs", "detail", id] as const,
  activity: (params: Record<string, unknown>) => ["activity", params] as const,
  adminUsers: ["admin", "users"] as const,
};

/** The signed-in user, or null when signed out (401). */
export function useMe() {
  return useQuery({
    queryKey: queryKeys.me,
    queryFn: async () => {
      try {
        return await call(() => api.GET("/api/me"));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 30_000,
  });
}

export function useServerConfig() {
  return useQuery({
    queryKey: queryKeys.config,
    queryFn: () => call(() => api.GET("/api/config")),
    staleTime: Infinity,
  });
}

export function useCatalog() {
  return useQuery({
    queryKey: queryKeys.catalog,
    queryFn: () => call(() => api.GET("/api/models")),
    staleTime: 15_000,
  });
}

export function useKeys() {
  return useQuery({ queryKey: queryKeys.keys, queryFn: () => call(() => api.GET("/api/keys")) });
}
