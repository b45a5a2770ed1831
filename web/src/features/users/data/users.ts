import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, call, type AdminUser, type Schemas } from "@/lib/api";
import { queryKeys } from "@/lib/queries";

const PAGE = 200;

/** Every user (the API pages by id; an admin list is small enough to hold whole). */
export function useAdminUsers() {
  return useQuery({
    queryKey: queryKeys.adminUsers,
    queryFn: async () => {
      const all: AdminUser[] = [];
      let after = 0;
      for (;;) {
        const { users } = await call(() => api.GET("/api/admin/users", { params: { query: { after, limit: PAGE } } }));
        all.push(...users);
        if (users.length < PAGE) break;
        after = users[users.length - 1]!.id;
      }
      return all;
    },
  });
}

/** One user's page: balance and totals, keys, usage by model over 30 days, recent requests. */
export function useAdminUser(id: number) {
  return useQuery({
    queryKey: [...queryKeys.adminUsers, id],
    queryFn: () => call(() => api.GET("/api/admin/users/{id}", { params: { path: { id } } })),
    enabled: id > 0,
  });
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: number; change: Schemas["AdminUserUpdate"] }) =>
      call(() => api.PATCH("/api/admin/users/{id}", { params: { path: { id } }, body: change })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.adminUsers }),
  });
}

export function useGrantCredits() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, grant }: { id: number; grant: Schemas["Grant"] }) =>
      call(() => api.POST("/api/admin/users/{id}/credits", { params: { path: { id } }, body: grant })),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.adminUsers }),
        // The admin may have granted credits to themselves.
        queryClient.invalidateQueries({ queryKey: queryKeys.me }),
        queryClient.invalidateQueries({ queryKey: queryKeys.credits }),
      ]);
    },
  });
}
