import { ArrowLeft, MessageSquare, SearchX } from "lucide-react";
import type { ReactNode } from "react";
import type { Model, Provider } from "@/lib/api";
import { formatContext, formatNumber } from "@/lib/format";
import { useCatalog } from "@/lib/queries";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { EmptyState, ErrorState } from "@/components/ui/states";
import { CodeSample } from "./components/code-sample";
import { ProvidersTable } from "./components/providers-table";
import { playgroundPath } from "./data/paths";

function BackLink() {
  return (
    <Link
      to="/models"
      className="mb-4 inline-flex items-center gap-1.5 rounded text-sm text-muted-foreground hover:text-foreground focus-visible:outline-2 focus-visible:outline-ring"
    >
      <ArrowLeft className="size-4" aria-hidden />
      All models
    </Link>
  );
}

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0 rounded-lg border bg-card px-4 py-3">
      <dt className="text-xs font-medium uppercase tracking-wide text-muted-foreground">{label}</dt>
      <dd className="mt-1 flex min-h-6 flex-wrap items-center gap-1 text-sm">{children}</dd>
    </div>
  );
}

function Tokens({ n }: { n: number }) {
  return (
    <span className="text-base font-semibold tabular-nums" title={formatNumber(n) + " tokens"}>
      {formatContext(n)} <span className="text-sm font-normal text-muted-foreground">tokens</span>
    </span>
  );
}

function Modalities({ list }: { list: string[] }) {
  if (list.length === 0) return <span className="text-muted-foreground">—</span>;
  return (
    <>
      {list.map((m) => (
        <Badge key={m} variant="outline" className="capitalize">
          {m}
        </Badge>
      ))}
    </>
  );
}

function ModelHeader({ model, companyName }: { model: Model; companyName: string }) {
  return (
    <header className="mb-6">
      <div className="flex flex-col gap-4 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <h1 className="text-2xl font-semibold tracking-tight break-words">{model.name}</h1>
          <div className="mt-2 flex min-w-0 flex-wrap items-center gap-x-3 gap-y-1 text-sm">
            <span className="flex min-w-0 items-center gap-1">
              <code className="truncate rounded bg-muted px-1.5 py-0.5 font-mono text-[13px]">{model.id}</code>
              <CopyButton value={model.id} label="Copy model id" variant="ghost" className="size-7" />
            </span>
            <span className="text-muted-foreground">
              by <span className="font-medium text-foreground">{companyName}</span>
            </span>
          </div>
        </div>
        {!model.output_modalities.includes("embeddings") && (
          <Button asChild className="shrink-0 self-start">
            <Link to={playgroundPath(model.id)}>
              <MessageSquare aria-hidden />
              Try in playground
            </Link>
          </Button>
        )}
      </div>
      {model.description && <p className="mt-3 max-w-3xl text-sm text-muted-foreground">{model.description}</p>}
      <dl className="mt-5 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Context">
          <Tokens n={model.context_length} />
        </Stat>
        <Stat label="Max output">
          <Tokens n={model.max_output} />
        </Stat>
        <Stat label="Input">
          <Modalities list={model.input_modalities} />
        </Stat>
        <Stat label="Output">
          <Modalities list={model.output_modalities} />
        </Stat>
      </dl>
    </header>
  );
}

function ProvidersCard({ model, providers }: { model: Model; providers: Provider[] }) {
  const anyAvailable = model.endpoints.some((e) => e.available);
  return (
    <Card className="min-w-0">
      <CardHeader>
        <CardTitle>Providers</CardTitle>
        <CardDescription>
          {model.endpoints.length === 0
            ? "No provider serves this model yet."
            : anyAvailable
              ? "Requests go to the lowest-priced available provider first; the others take over if it fails. Prices are in USD per million tokens; health is what this gateway has measured since it started."
              : "No provider of this model is available right now, so requests for it fail. An admin can enable a provider or set its API key."}
        </CardDescription>
      </CardHeader>
      {model.endpoints.length > 0 && (
        <CardContent className="px-0 pb-2 sm:px-2">
          {/* Narrow screens: the table scrolls inside this card; say what lies to the right. */}
          <p className="px-6 pb-2 text-xs text-muted-foreground xl:hidden" data-testid="providers-scroll-hint">
            Scroll the table sideways for limits and live health (latency, throughput, errors).
          </p>
          <ProvidersTable model={model} providers={providers} />
        </CardContent>
      )}
    </Card>
  );
}

function LoadingModel() {
  return (
    <div aria-busy="true" aria-label="Loading model">
      <Skeleton className="mb-4 h-5 w-24" />
      <div className="flex items-start justify-between gap-4">
        <div>
          <Skeleton className="h-8 w-72 max-w-full" />
          <Skeleton className="mt-2 h-7 w-56" />
        </div>
        <Skeleton className="hidden h-9 w-44 sm:block" />
      </div>
      <Skeleton className="mt-3 h-5 w-full max-w-2xl" />
      <div className="mt-5 grid grid-cols-2 gap-3 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <Skeleton key={i} className="h-[74px]" />
        ))}
      </div>
      <Skeleton className="mt-6 h-56 w-full rounded-xl" />
      <Skeleton className="mt-6 h-96 w-full rounded-xl" />
    </div>
  );
}

export default function ModelPage({ params }: { params: Record<string, string> }) {
  const id = params["*"] ?? "";
  const catalog = useCatalog();

  if (catalog.isPending) return <LoadingModel />;
  if (catalog.isError) {
    return (
      <div>
        <BackLink />
        <ErrorState error={catalog.error} onRetry={() => catalog.refetch()} title="This model could not be loaded" />
      </div>
    );
  }

  const model = catalog.data.models.find((m) => m.id === id);
  if (!model) {
    return (
      <div>
        <BackLink />
        <EmptyState
          icon={<SearchX />}
          title="Model not found"
          description={
            <>
              No model with the id <code className="font-mono text-foreground break-all">{id || "(none)"}</code> is in the catalog. It may have been
              renamed or removed.
            </>
          }
          action={
            <Button asChild variant="outline" size="sm">
              <Link to="/models">Browse all models</Link>
            </Button>
          }
        />
      </div>
    );
  }

  const companyName = catalog.data.companies.find((c) => c.id === model.company)?.name ?? model.company;
  return (
    <div>
      <BackLink />
      <ModelHeader model={model} companyName={companyName} />
      <div className="grid gap-6">
        <ProvidersCard model={model} providers={catalog.data.providers} />
        <CodeSample modelId={model.id} />
      </div>
    </div>
  );
}
