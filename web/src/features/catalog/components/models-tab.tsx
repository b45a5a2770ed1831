import { ArrowDown, ArrowUp, Boxes, ChevronRight, Pencil, Plus, Search, Trash2, X } from "lucide-react";
import { Fragment, useMemo, useState } from "react";
import { useMediaQuery, WIDE } from "@/hooks/use-media-query";
import { errorMessage } from "@/lib/errors";
import { formatContext, formatDateTime } from "@/lib/format";
import { formatPricePerMillion } from "@/lib/money";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { EmptyState } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { useDeleteEndpoint, useDeleteModel, type AdminCatalog, type AdminEndpoint, type AdminModel, type AdminProvider } from "../data/catalog";
import { ConfirmDeleteDialog } from "./confirm-delete-dialog";
import { EndpointDialog } from "./endpoint-dialog";
import { ModelDialog } from "./model-dialog";

type SortKey = "name" | "company" | "context" | "prompt" | "completion" | "providers";
type SortDir = "asc" | "desc";

// The columns of /models' table, so both read alike; the providers are named here (admins edit them).
const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: "name", label: "Model" },
  { key: "company", label: "Company" },
  { key: "context", label: "Context", numeric: true },
  { key: "prompt", label: "Prompt $/M", numeric: true },
  { key: "completion", label: "Completion $/M", numeric: true },
  { key: "providers", label: "Providers" },
];
const ARIA_SORT = { asc: "ascending", desc: "descending" } as const;

type Endpoint = AdminEndpoint;
type Model = AdminModel;
type PriceKey = keyof Endpoint["prices"];

function ProviderBadges({ model, providerName }: { model: Model; providerName: (id: string) => string }) {
  if (model.endpoints.length === 0) return <Badge variant="warning">No provider</Badge>;
  return (
    <span className="flex flex-wrap gap-1">
      {model.endpoints.map((e) => (
        <Badge key={e.provider} variant={e.available ? "secondary" : "outline"} className={cn(!e.available && "text-muted-foreground line-through")}>
          {providerName(e.provider)}
          {!e.available && <span className="sr-only">{e.enabled ? " (unavailable)" : " (switched off)"}</span>}
        </Badge>
      ))}
    </span>
  );
}

/** The endpoint's own switch first, then whether its provider can take requests. */
function EndpointStatus({ endpoint: e, provider }: { endpoint: Endpoint; provider: AdminProvider | undefined }) {
  if (!e.enabled) return <Badge variant="secondary">Switched off</Badge>;
  if (e.available) return <Badge variant="success">Available</Badge>;
  const why = provider ? (provider.unavailable_reason ?? (provider.enabled ? "Its provider is not available." : "Its provider is switched off.")) : "Its provider is missing.";
  return (
    <Badge variant="warning" title={why}>
      Unavailable<span className="sr-only">: {why}</span>
    </Badge>
  );
}

/**
 * The scheduled changes to one price of an endpoint, in order: "changes to $0.60 on <date>" for
 * each change that gives this price a new value.
 */
function scheduledChanges(e: Endpoint, key: PriceKey): { to: number; at: string }[] {
  const out: { to: number; at: string }[] = [];
  let last = e.prices[key];
  for (const change of [...e.scheduled_prices].sort((a, b) => a.effective_from.localeCompare(b.effective_from))) {
    if (change.prices[key] !== last) out.push({ to: change.prices[key], at: change.effective_from });
    last = change.prices[key];
  }
  return out;
}

/** A current price, with any scheduled change to it underneath. */
function Price({ endpoint, field }: { endpoint: Endpoint; field: PriceKey }) {
  const changes = scheduledChanges(endpoint, field);
  return (
    <>
      <span>{formatPricePerMillion(endpoint.prices[field])}</span>
      {changes.map((c) => (
        <span key={c.at} className="block text-xs font-normal whitespace-normal text-muted-foreground" data-testid="scheduled-price">
          changes to {formatPricePerMillion(c.to)} on {formatDateTime(c.at)}
        </span>
      ))}
    </>
  );
}

const PRICE_COLUMNS: readonly (readonly [PriceKey, string])[] = [
  ["input", "Prompt"],
  ["output", "Completion"],
  ["cache_read", "Cache read"],
  ["cache_write", "Cache write"],
];

function cheapest(model: Model): Endpoint | null {
  const pool = model.endpoints.filter((e) => e.available);
  const list = pool.length ? pool : model.endpoints;
  return [...list].sort((a, b) => a.prices.input + a.prices.output - (b.prices.input + b.prices.output))[0] ?? null;
}

function Endpoints({
  wide,
  model,
  catalog,
  onEdit,
  onAdd,
  onRemove,
  onDeleteModel,
}: {
  wide: boolean;
  model: Model;
  catalog: AdminCatalog;
  onEdit: (e: Endpoint) => void;
  onAdd: () => void;
  onRemove: (e: Endpoint) => void;
  onDeleteModel: () => void;
}) {
  const providerOf = (id: string) => catalog.providers.find((p) => p.id === id);
  const providerName = (id: string) => providerOf(id)?.name ?? id;
  return (
    <div className="grid gap-3 border-t bg-muted/30 px-3 py-3 sm:px-4">
      {model.endpoints.length === 0 ? (
        <p className="text-sm text-muted-foreground">No provider serves this model yet, so requests for it fail. Add one with its prices.</p>
      ) : !wide ? (
        <ul className="grid gap-2">
          {model.endpoints.map((e) => (
            <li key={e.provider} className="grid gap-2 rounded-lg border bg-card p-3" data-testid="endpoint-card">
              <div className="flex items-center justify-between gap-2">
                <span className="font-medium">{providerName(e.provider)}</span>
                <EndpointStatus endpoint={e} provider={providerOf(e.provider)} />
              </div>
              <code className="truncate font-mono text-xs text-muted-foreground" title={e.upstream_model}>
                {e.upstream_model}
              </code>
              <dl className="grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
                {PRICE_COLUMNS.map(([key, label]) => (
                  <div key={key} className="flex justify-between gap-2">
                    <dt className="text-muted-foreground">{label}</dt>
                    <dd className="text-right tabular-nums">
                      <Price endpoint={e} field={key} />
                    </dd>
                  </div>
                ))}
              </dl>
              <p className="text-xs text-muted-foreground">USD per million tokens</p>
              <div className="flex gap-2">
                <Button variant="outline" size="sm" className="flex-1" onClick={() => onEdit(e)} aria-label={`Edit ${model.name} at ${providerName(e.provider)}`}>
                  <Pencil aria-hidden />
                  Prices & settings
                </Button>
                <Button variant="ghost" size="icon" className="size-8" onClick={() => onRemove(e)} aria-label={`Remove ${providerName(e.provider)} from ${model.name}`}>
                  <Trash2 />
                </Button>
              </div>
            </li>
          ))}
        </ul>
      ) : (
        <div className="rounded-lg border bg-card">
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>Provider</TableHead>
                <TableHead>Model at provider</TableHead>
                <TableHead className="text-right">Prompt</TableHead>
                <TableHead className="text-right">Completion</TableHead>
                <TableHead className="text-right">Cache read</TableHead>
                <TableHead className="text-right">Cache write</TableHead>
                <TableHead>Status</TableHead>
                <TableHead>
                  <span className="sr-only">Actions</span>
                </TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {model.endpoints.map((e) => (
                <TableRow key={e.provider} data-testid="endpoint-row">
                  <TableCell className="font-medium whitespace-nowrap">{providerName(e.provider)}</TableCell>
                  <TableCell className="max-w-56">
                    <span className="block truncate font-mono text-xs" title={e.upstream_model}>
                      {e.upstream_model}
                    </span>
                  </TableCell>
                  {PRICE_COLUMNS.map(([key]) => (
                    <TableCell key={key} className={cn("max-w-36 text-right tabular-nums", key.startsWith("cache") && "text-muted-foreground")}>
                      <Price endpoint={e} field={key} />
                    </TableCell>
                  ))}
                  <TableCell>
                    <EndpointStatus endpoint={e} provider={providerOf(e.provider)} />
                  </TableCell>
                  <TableCell className="py-1.5">
                    <div className="flex justify-end gap-1">
                      <Button variant="outline" size="sm" onClick={() => onEdit(e)} aria-label={`Edit ${model.name} at ${providerName(e.provider)}`}>
                        <Pencil aria-hidden />
                        <span className="hidden sm:inline">Prices</span>
                      </Button>
                      <Button variant="ghost" size="icon" className="size-8" onClick={() => onRemove(e)} aria-label={`Remove ${providerName(e.provider)} from ${model.name}`}>
                        <Trash2 />
                      </Button>
                    </div>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Button variant="outline" size="sm" onClick={onAdd} disabled={model.endpoints.length >= catalog.providers.length}>
          <Plus aria-hidden />
          Add a provider
        </Button>
        <Button variant="ghost" size="sm" className="text-destructive hover:text-destructive" onClick={onDeleteModel}>
          <Trash2 aria-hidden />
          Delete model
        </Button>
      </div>
    </div>
  );
}

export function ModelsTab({ catalog }: { catalog: AdminCatalog }) {
  const [query, setQuery] = useState("");
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<{ model: Model; endpoint: Endpoint | null } | null>(null);
  const [removing, setRemoving] = useState<{ model: Model; endpoint: Endpoint } | null>(null);
  const [deletingModel, setDeletingModel] = useState<Model | null>(null);
  const [adding, setAdding] = useState(false);
  const wide = useMediaQuery(WIDE);
  const removeEndpoint = useDeleteEndpoint();
  const deleteModel = useDeleteModel();

  const companyName = (id: string) => catalog.companies.find((c) => c.id === id)?.name ?? id;
  const providerName = (id: string) => catalog.providers.find((p) => p.id === id)?.name ?? id;
  // A model's endpoints panel, the same under a table row (wide) and in a phone's list.
  const panelIdOf = (m: Model) => "endpoints-" + m.id.replace(/[^a-zA-Z0-9_-]/g, "-");
  const endpointsOf = (m: Model) => (
    <Endpoints
      wide={wide}
      model={m}
      catalog={catalog}
      onEdit={(endpoint) => setEditing({ model: m, endpoint })}
      onAdd={() => setEditing({ model: m, endpoint: null })}
      onRemove={(endpoint) => setRemoving({ model: m, endpoint })}
      onDeleteModel={() => setDeletingModel(m)}
    />
  );
  const [sort, setSort] = useState<{ key: SortKey; dir: SortDir }>({ key: "name", dir: "asc" });
  const list = useMemo(() => {
    const q = query.trim().toLowerCase();
    const company = (id: string) => catalog.companies.find((c) => c.id === id)?.name ?? id;
    // Models no provider serves sort after the priced ones either way.
    const price = (m: Model, key: "input" | "output") => cheapest(m)?.prices[key] ?? null;
    const compare = (a: Model, b: Model): number => {
      switch (sort.key) {
        case "company":
          return company(a.company).localeCompare(company(b.company));
        case "context":
          return a.context_length - b.context_length;
        case "providers":
          return a.endpoints.length - b.endpoints.length;
        case "prompt":
        case "completion": {
          const field = sort.key === "prompt" ? "input" : "output";
          return (price(a, field) ?? Infinity) - (price(b, field) ?? Infinity);
        }
        default:
          return 0;
      }
    };
    const sorted = [...catalog.models].sort((a, b) => {
      const c = compare(a, b);
      return (sort.dir === "asc" ? c : -c) || a.name.localeCompare(b.name);
    });
    return q ? sorted.filter((m) => m.id.toLowerCase().includes(q) || m.name.toLowerCase().includes(q)) : sorted;
  }, [catalog.models, catalog.companies, query, sort]);
  const sortBy = (key: SortKey) => setSort((s) => ({ key, dir: s.key === key && s.dir === "asc" ? "desc" : "asc" }));

  // Keep the dialog's model in step with the catalog after a change.
  const current = editing ? { model: catalog.models.find((m) => m.id === editing.model.id) ?? editing.model, endpoint: editing.endpoint } : null;

  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="grid gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div className="relative w-full max-w-sm">
          <Label htmlFor="model-search" className="sr-only">
            Search models
          </Label>
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-muted-foreground" aria-hidden />
          <Input id="model-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Search models" className="pl-9" autoComplete="off" />
        </div>
        <Button onClick={() => setAdding(true)}>
          <Plus aria-hidden />
          Add model
        </Button>
      </div>

      {list.length === 0 ? (
        query ? (
          <EmptyState
            icon={<Search />}
            title={`No model matches “${query.trim()}”`}
            action={
              <Button variant="outline" size="sm" onClick={() => setQuery("")}>
                <X aria-hidden />
                Clear search
              </Button>
            }
          />
        ) : (
          <EmptyState icon={<Boxes />} title="No models yet" description="Add a model, then the providers that serve it." action={<Button onClick={() => setAdding(true)}>Add model</Button>} />
        )
      ) : (
        wide ? (
          <Card className="overflow-hidden">
            <Table aria-label="Models">
              <TableHeader>
                <TableRow className="hover:bg-transparent">
                  {COLUMNS.map((c) => {
                    const active = sort.key === c.key;
                    return (
                      <TableHead key={c.key} aria-sort={active ? ARIA_SORT[sort.dir] : "none"} className={cn(c.numeric && "text-right", c.key === "name" && "pl-10")}>
                        <button type="button" onClick={() => sortBy(c.key)} className={cn("inline-flex items-center gap-1 uppercase hover:text-foreground", active && "text-foreground")}>
                          {c.label}
                          {active && (sort.dir === "asc" ? <ArrowUp className="size-3" aria-hidden /> : <ArrowDown className="size-3" aria-hidden />)}
                        </button>
                      </TableHead>
                    );
                  })}
                </TableRow>
              </TableHeader>
              <TableBody>
                {list.map((m) => {
                  const expanded = open.has(m.id);
                  const best = cheapest(m);
                  const panelId = panelIdOf(m);
                  return (
                    <Fragment key={m.id}>
                      <TableRow data-testid="model-row" className={cn(expanded && "border-b-0 bg-muted/30")}>
                        <TableCell className="max-w-80">
                          <button
                            type="button"
                            onClick={() => toggle(m.id)}
                            aria-expanded={expanded}
                            aria-controls={panelId}
                            className="flex w-full min-w-0 cursor-pointer items-start gap-2 text-left focus-visible:outline-2 focus-visible:outline-ring"
                          >
                            <ChevronRight className={cn("mt-0.5 size-4 shrink-0 text-muted-foreground transition-transform", expanded && "rotate-90")} aria-hidden />
                            <span className="min-w-0">
                              <span className="block truncate font-medium">{m.name}</span>
                              <span className="block truncate font-mono text-xs text-muted-foreground">{m.id}</span>
                            </span>
                          </button>
                        </TableCell>
                        <TableCell className="max-w-40 truncate">{companyName(m.company)}</TableCell>
                        <TableCell className="text-right tabular-nums">{formatContext(m.context_length)}</TableCell>
                        <TableCell className="text-right tabular-nums">{best ? formatPricePerMillion(best.prices.input) : "—"}</TableCell>
                        <TableCell className="text-right tabular-nums">{best ? formatPricePerMillion(best.prices.output) : "—"}</TableCell>
                        <TableCell>
                          <ProviderBadges model={m} providerName={providerName} />
                        </TableCell>
                      </TableRow>
                      {expanded && (
                        <TableRow className="hover:bg-transparent">
                          <TableCell colSpan={COLUMNS.length} className="p-0" id={panelId}>
                            {endpointsOf(m)}
                          </TableCell>
                        </TableRow>
                      )}
                    </Fragment>
                  );
                })}
              </TableBody>
            </Table>
          </Card>
        ) : (
          <ul className="grid gap-2" aria-label="Models">
            {list.map((m) => {
              const expanded = open.has(m.id);
              const best = cheapest(m);
              const panelId = panelIdOf(m);
              const price = best ? `${formatPricePerMillion(best.prices.input)} / ${formatPricePerMillion(best.prices.output)}` : "—";
              return (
                <li key={m.id} data-testid="model-row">
                  <Card className="overflow-hidden">
                    <button
                      type="button"
                      onClick={() => toggle(m.id)}
                      aria-expanded={expanded}
                      aria-controls={panelId}
                      className="grid w-full cursor-pointer gap-1.5 px-3 py-3 text-left hover:bg-muted/40 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-ring sm:px-4"
                    >
                      <span className="flex min-w-0 items-start gap-2">
                        <ChevronRight className={cn("mt-0.5 size-4 shrink-0 text-muted-foreground transition-transform", expanded && "rotate-90")} aria-hidden />
                        <span className="min-w-0">
                          <span className="block truncate font-medium">{m.name}</span>
                          <span className="block truncate font-mono text-xs text-muted-foreground">{m.id}</span>
                        </span>
                      </span>
                      <span className="pl-6 text-xs text-muted-foreground">
                        {companyName(m.company)} · {formatContext(m.context_length)} context · <span className="tabular-nums text-foreground">{price}</span>
                      </span>
                      <span className="pl-6">
                        <ProviderBadges model={m} providerName={providerName} />
                      </span>
                    </button>
                    {expanded && (
                      <div id={panelId}>
                        {endpointsOf(m)}
                      </div>
                    )}
                  </Card>
                </li>
              );
            })}
          </ul>
        )
      )}

      <EndpointDialog
        open={current !== null}
        onOpenChange={(o) => !o && setEditing(null)}
        model={current?.model ?? null}
        endpoint={current?.endpoint ?? null}
        providers={catalog.providers}
      />
      <ModelDialog
        open={adding}
        onOpenChange={setAdding}
        companies={catalog.companies}
        onCreated={(id) => {
          setQuery("");
          setOpen((s) => new Set(s).add(id));
        }}
      />
      <ConfirmDialog
        open={removing !== null}
        onOpenChange={(o) => !o && !removeEndpoint.isPending && setRemoving(null)}
        title={removing ? `Stop serving ${removing.model.name} from ${providerName(removing.endpoint.provider)}?` : ""}
        description="Requests for this model stop going to this provider at once; its scheduled price changes are cancelled. Its price history stays."
        confirmLabel="Remove provider"
        loading={removeEndpoint.isPending}
        onConfirm={() =>
          removing &&
          removeEndpoint.mutate(
            { model: removing.model.id, provider: removing.endpoint.provider },
            {
              onSuccess: () => {
                toast.success(`${providerName(removing.endpoint.provider)} removed from ${removing.model.name}`);
                setRemoving(null);
              },
              onError: (e) => toast.error("The provider was not removed", errorMessage(e)),
            },
          )
        }
      />
      <ConfirmDeleteDialog
        item={deletingModel}
        onClose={() => setDeletingModel(null)}
        description="The model and all its providers are removed from the catalog; requests for it fail from now on. Past requests stay in the logs."
        confirmLabel="Delete model"
        mutation={deleteModel}
        errorTitle="The model was not deleted"
      />
    </div>
  );
}
