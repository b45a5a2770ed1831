import { useMemo } from "react";
import type { Provider } from "@/lib/api";
import { useCatalog } from "@/lib/queries";
import { useSearchParams } from "@/lib/router";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState } from "@/components/ui/states";
import { Tabs, TabsContent, TabsList, TabsTrigger } from "@/components/ui/tabs";
import { CompaniesTab } from "./components/companies-tab";
import { ModelsTab } from "./components/models-tab";
import { ProvidersTab } from "./components/providers-tab";
import { useAdminCatalog } from "./data/catalog";

const TABS = ["providers", "models", "companies"] as const;
type Tab = (typeof TABS)[number];

function LoadingTable() {
  return (
    <div className="grid gap-4" aria-busy="true" aria-label="Loading">
      <div className="flex justify-between gap-3">
        <Skeleton className="h-5 w-80 max-w-full" />
        <Skeleton className="h-9 w-32" />
      </div>
      <Card className="grid gap-0 overflow-hidden">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="flex items-center gap-4 border-b px-3 py-3 last:border-0">
            <Skeleton className="h-9 w-48" />
            <Skeleton className="h-5 w-20" />
            <Skeleton className="hidden h-5 w-56 md:block" />
            <Skeleton className="ml-auto h-8 w-24" />
          </div>
        ))}
      </Card>
    </div>
  );
}

export default function AdminCatalogPage() {
  // What admins edit comes from the admin listing; live health only from the public catalog.
  const catalog = useAdminCatalog();
  const publicCatalog = useCatalog();
  const health = useMemo(() => {
    if (!publicCatalog.data) return undefined;
    return Object.fromEntries(publicCatalog.data.providers.map((p) => [p.id, p.health])) as Record<string, Provider["health"]>;
  }, [publicCatalog.data]);
  const [params, setParams] = useSearchParams();
  const requested = params.get("tab");
  const tab: Tab = (TABS as readonly string[]).includes(requested ?? "") ? (requested as Tab) : "providers";

  return (
    <div>
      <PageHeader
        title="Providers & prices"
        description="What the gateway can route to and what it charges. Changes reach the gateway within a second; price changes can be scheduled."
      />
      <Tabs value={tab} onValueChange={(t) => setParams({ tab: t === "providers" ? null : t })}>
        <TabsList className="mb-2">
          <TabsTrigger value="providers">
            Providers{catalog.data ? <span className="ml-1.5 text-xs text-muted-foreground tabular-nums">{catalog.data.providers.length}</span> : null}
          </TabsTrigger>
          <TabsTrigger value="models">
            Models{catalog.data ? <span className="ml-1.5 text-xs text-muted-foreground tabular-nums">{catalog.data.models.length}</span> : null}
          </TabsTrigger>
          <TabsTrigger value="companies">
            Companies{catalog.data ? <span className="ml-1.5 text-xs text-muted-foreground tabular-nums">{catalog.data.companies.length}</span> : null}
          </TabsTrigger>
        </TabsList>
        {catalog.isError ? (
          <ErrorState error={catalog.error} onRetry={() => catalog.refetch()} title="The catalog could not be loaded" />
        ) : catalog.isPending ? (
          <LoadingTable />
        ) : (
          <>
            <TabsContent value="providers">
              <ProvidersTab catalog={catalog.data} health={health} />
            </TabsContent>
            <TabsContent value="models">
              <ModelsTab catalog={catalog.data} />
            </TabsContent>
            <TabsContent value="companies">
              <CompaniesTab catalog={catalog.data} />
            </TabsContent>
          </>
        )}
      </Tabs>
    </div>
  );
}
