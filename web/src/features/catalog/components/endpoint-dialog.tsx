import { AlertTriangle, CalendarClock } from "lucide-react";
import { useState, type FormEvent } from "react";
import type { Schemas } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { formatPricePerMillion, microsToUsdText, normalizeUsdText } from "@/lib/money";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Field, Label } from "@/components/ui/label";
import { Skeleton } from "@/components/ui/skeleton";
import { Switch } from "@/components/ui/switch";
import { ErrorState, FormError } from "@/components/ui/states";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { toast } from "@/components/ui/toast";
import { usePriceHistory, usePutEndpoint, type AdminEndpoint, type AdminModel, type AdminProvider, type PriceChange } from "../data/catalog";
import { checkPrice, checkTokens } from "../data/validate";
import { NativeSelect } from "./native-select";

const PRICE_FIELDS = [
  { key: "input", label: "Prompt", required: true },
  { key: "output", label: "Completion", required: true },
  { key: "cache_read", label: "Cache read", required: false },
  { key: "cache_write", label: "Cache write", required: false },
] as const;
type PriceKey = (typeof PRICE_FIELDS)[number]["key"];

/** A date-time-local value ("2026-01-31T12:00") for `d` in the browser's time zone. */
function toLocalInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const stateBadge: Record<PriceChange["state"], { label: string; variant: "success" | "warning" | "secondary" }> = {
  current: { label: "In force", variant: "success" },
  scheduled: { label: "Scheduled", variant: "warning" },
  superseded: { label: "Past", variant: "secondary" },
};

export function PriceHistory({ model, provider }: { model: string; provider: string }) {
  const history = usePriceHistory(model, provider);
  return (
    <section aria-labelledby="price-history-title" className="grid min-w-0 gap-2">
      <h3 id="price-history-title" className="text-sm font-semibold">
        Price history
      </h3>
      {history.isError ? (
        <ErrorState error={history.error} onRetry={() => history.refetch()} title="The price history could not be loaded" />
      ) : (
        <div className="min-w-0 rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                <TableHead>From</TableHead>
                <TableHead className="text-right">Prompt</TableHead>
                <TableHead className="text-right">Completion</TableHead>
                <TableHead className="text-right">Cache read</TableHead>
                <TableHead className="text-right">Cache write</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {history.isPending
                ? Array.from({ length: 2 }, (_, i) => (
                    <TableRow key={i}>
                      {Array.from({ length: 5 }, (_, j) => (
                        <TableCell key={j}>
                          <Skeleton className="h-5 w-full min-w-12" />
                        </TableCell>
                      ))}
                    </TableRow>
                  ))
                : [...history.data.history].reverse().map((row) => (
                    <TableRow key={row.effective_from + row.created_at} data-testid="price-row">
                      <TableCell className="whitespace-nowrap">
                        <span className="mr-2">{formatDateTime(row.effective_from)}</span>
                        <Badge variant={stateBadge[row.state].variant}>{stateBadge[row.state].label}</Badge>
                      </TableCell>
                      <TableCell className="text-right tabular-nums">{formatPricePerMillion(row.prices.input)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatPricePerMillion(row.prices.output)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatPricePerMillion(row.prices.cache_read)}</TableCell>
                      <TableCell className="text-right tabular-nums">{formatPricePerMillion(row.prices.cache_write)}</TableCell>
                    </TableRow>
                  ))}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}

/**
 * Adds a model's endpoint at a provider, or changes one: upstream model, prices in USD per
 * million tokens (now, or scheduled for later), limits and whether it is switched on.
 */
export function EndpointDialog({
  open,
  onOpenChange,
  model,
  endpoint,
  providers,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  model: AdminModel | null;
  endpoint: AdminEndpoint | null;
  providers: AdminProvider[];
}) {
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent className="max-w-2xl">
        {open && model && (
          <EndpointForm key={model.id + (endpoint?.provider ?? "")} model={model} endpoint={endpoint} providers={providers} onDone={() => onOpenChange(false)} />
        )}
      </DialogContent>
    </Dialog>
  );
}

function EndpointForm({
  model,
  endpoint,
  providers,
  onDone,
}: {
  model: AdminModel;
  endpoint: AdminEndpoint | null;
  providers: AdminProvider[];
  onDone: () => void;
}) {
  const editing = endpoint !== null;
  const free = providers.filter((p) => !model.endpoints.some((e) => e.provider === p.id));
  const providerOf = (id: string) => providers.find((p) => p.id === id);
  const initialPrices: Record<PriceKey, string> = {
    input: endpoint ? microsToUsdText(endpoint.prices.input) : "",
    output: endpoint ? microsToUsdText(endpoint.prices.output) : "",
    cache_read: endpoint ? microsToUsdText(endpoint.prices.cache_read) : "",
    cache_write: endpoint ? microsToUsdText(endpoint.prices.cache_write) : "",
  };
  const initialEnabled = endpoint?.enabled ?? true;

  const [provider, setProvider] = useState(endpoint?.provider ?? free[0]?.id ?? "");
  const [upstream, setUpstream] = useState(endpoint?.upstream_model ?? "");
  const [prices, setPrices] = useState(initialPrices);
  const [when, setWhen] = useState<"now" | "later">("now");
  const [at, setAt] = useState(() => toLocalInput(new Date(Date.now() + 24 * 3_600_000)));
  const [contextLength, setContextLength] = useState(String(endpoint?.context_length ?? model.context_length));
  const [maxOutput, setMaxOutput] = useState(String(endpoint?.max_output ?? model.max_output));
  const [enabled, setEnabled] = useState(initialEnabled);
  const [errors, setErrors] = useState<Record<string, string | null>>({});
  const put = usePutEndpoint();

  const pricesChanged = PRICE_FIELDS.some((f) => normalizeUsdText(prices[f.key].trim() || "0") !== normalizeUsdText(initialPrices[f.key] || "0"));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found: Record<string, string | null> = {};
    if (!editing && !provider) found.provider = "Choose a provider.";
    if (!editing && !upstream.trim()) found.upstream = "Enter the model's name at the provider, like llama-3.3-70b-versatile.";
    if (upstream.trim().length > 200) found.upstream = "Use at most 200 characters.";
    for (const f of PRICE_FIELDS) found["price-" + f.key] = checkPrice(prices[f.key], f.required);
    found.context = checkTokens(contextLength, "context length", false);
    found["max-output"] = checkTokens(maxOutput, "maximum output", false);
    let effective: string | undefined;
    if (editing && when === "later") {
      const d = new Date(at);
      if (!at || Number.isNaN(d.getTime())) found.at = "Pick a date and time.";
      else if (d.getTime() <= Date.now()) found.at = "Pick a time in the future, or choose “Now”.";
      else if (!pricesChanged) found.at = "Change a price to schedule it.";
      else effective = d.toISOString();
    }
    setErrors(found);
    const firstBad = Object.keys(found).find((k) => found[k]);
    if (firstBad) {
      document.getElementById("endpoint-" + firstBad)?.focus();
      return;
    }

    const body: Schemas["EndpointPut"] = {};
    if (!editing || upstream.trim() !== endpoint.upstream_model) body.upstream_model = upstream.trim();
    if (!editing || pricesChanged) {
      const p: Schemas["PricesInput"] = {};
      for (const f of PRICE_FIELDS) {
        if (prices[f.key].trim() !== "") p[f.key] = normalizeUsdText(prices[f.key]);
        else if (editing) p[f.key] = "0";
      }
      body.prices = p;
    }
    if (effective) body.effective_from = effective;
    const ctx = Number(contextLength);
    const out = Number(maxOutput);
    if (contextLength.trim() && ctx !== (endpoint?.context_length ?? model.context_length)) body.context_length = ctx;
    if (maxOutput.trim() && out !== (endpoint?.max_output ?? model.max_output)) body.max_output = out;
    if (enabled !== initialEnabled) body.enabled = enabled;
    if (editing && Object.keys(body).length === 0) {
      onDone();
      return;
    }
    const providerId = editing ? endpoint.provider : provider;
    put.mutate(
      { model: model.id, provider: providerId, body },
      {
        onSuccess: () => {
          const name = providerOf(providerId)?.name ?? providerId;
          toast.success(
            editing ? `${model.name} at ${name} saved` : `${model.name} is now served by ${name}`,
            effective ? `The new prices take effect ${formatDateTime(effective)}.` : undefined,
          );
          onDone();
        },
      },
    );
  };

  const providerName = editing ? (providerOf(endpoint.provider)?.name ?? endpoint.provider) : null;
  const routedProvider = providerOf(editing ? endpoint.provider : provider);

  return (
    <div className="grid min-w-0 gap-6">
      <form onSubmit={submit} noValidate className="grid min-w-0 gap-4">
        <DialogHeader>
          <DialogTitle>{editing ? `${model.name} at ${providerName}` : `Add a provider for ${model.name}`}</DialogTitle>
          <DialogDescription>
            <span className="font-mono">{model.id}</span>
            {editing ? ". Prices are in USD per million tokens." : ". The gateway routes to the cheapest available provider."}
          </DialogDescription>
        </DialogHeader>

        <div className="grid gap-4 sm:grid-cols-2">
          {!editing && (
            <Field id="endpoint-provider" label="Provider" error={errors.provider ?? (free.length === 0 ? "Every provider already serves this model." : null)}>
              <NativeSelect id="endpoint-provider" value={provider} onChange={(e) => setProvider(e.target.value)} disabled={free.length === 0}>
                {free.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name}
                    {p.available ? "" : p.enabled ? " (unavailable)" : " (switched off)"}
                  </option>
                ))}
              </NativeSelect>
            </Field>
          )}
          <Field id="endpoint-upstream" label="Model name at the provider" error={errors.upstream} className={editing ? "sm:col-span-2" : undefined}>
            <Input
              id="endpoint-upstream"
              value={upstream}
              onChange={(e) => setUpstream(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              className="font-mono"
              placeholder="llama-3.3-70b-versatile"
              aria-invalid={!!errors.upstream}
              aria-describedby={errors.upstream ? "endpoint-upstream-error" : undefined}
            />
          </Field>
        </div>

        <fieldset className="grid gap-3">
          <legend className="mb-2 text-sm font-medium">Prices (USD per million tokens)</legend>
          <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
            {PRICE_FIELDS.map((f) => {
              const id = "endpoint-price-" + f.key;
              const err = errors["price-" + f.key];
              return (
                <Field key={f.key} id={id} label={f.label} error={err}>
                  <div className="relative">
                    <span className="pointer-events-none absolute left-3 top-1/2 -translate-y-1/2 text-sm text-muted-foreground">$</span>
                    <Input
                      id={id}
                      inputMode="decimal"
                      autoComplete="off"
                      value={prices[f.key]}
                      onChange={(e) => setPrices((p) => ({ ...p, [f.key]: e.target.value }))}
                      placeholder={f.required ? "0.15" : "0"}
                      className="pl-7 tabular-nums"
                      aria-invalid={!!err}
                      aria-describedby={err ? id + "-error" : undefined}
                    />
                  </div>
                </Field>
              );
            })}
          </div>
        </fieldset>

        {editing && (
          <fieldset className="grid gap-2">
            <legend className="mb-2 text-sm font-medium">New prices take effect</legend>
            <div className="flex flex-wrap items-center gap-x-5 gap-y-2 text-sm">
              <label className="flex cursor-pointer items-center gap-2">
                <input type="radio" name="endpoint-when" checked={when === "now"} onChange={() => setWhen("now")} className="size-4 accent-[var(--primary)]" />
                Now
              </label>
              <label className="flex cursor-pointer items-center gap-2">
                <input type="radio" name="endpoint-when" checked={when === "later"} onChange={() => setWhen("later")} className="size-4 accent-[var(--primary)]" />
                Later
              </label>
            </div>
            {when === "later" && (
              <Field id="endpoint-at" label="From" error={errors.at} hint="Your local time. Requests that start from then on are charged the new prices.">
                <Input
                  id="endpoint-at"
                  type="datetime-local"
                  value={at}
                  onChange={(e) => setAt(e.target.value)}
                  className="w-full sm:w-64"
                  aria-invalid={!!errors.at}
                  aria-describedby={errors.at ? "endpoint-at-error" : "endpoint-at-hint"}
                />
              </Field>
            )}
          </fieldset>
        )}

        <div className="grid gap-4 sm:grid-cols-2">
          <Field id="endpoint-context" label="Context length" error={errors.context}>
            <Input
              id="endpoint-context"
              inputMode="numeric"
              value={contextLength}
              onChange={(e) => setContextLength(e.target.value)}
              className="tabular-nums"
              aria-invalid={!!errors.context}
              aria-describedby={errors.context ? "endpoint-context-error" : undefined}
            />
          </Field>
          <Field id="endpoint-max-output" label="Max output" error={errors["max-output"]}>
            <Input
              id="endpoint-max-output"
              inputMode="numeric"
              value={maxOutput}
              onChange={(e) => setMaxOutput(e.target.value)}
              className="tabular-nums"
              aria-invalid={!!errors["max-output"]}
              aria-describedby={errors["max-output"] ? "endpoint-max-output-error" : undefined}
            />
          </Field>
        </div>

        <div className="flex items-start justify-between gap-4 rounded-lg border p-3">
          <div className="grid gap-1">
            <Label htmlFor="endpoint-enabled">Switched on</Label>
            <p id="endpoint-enabled-hint" className="text-xs text-muted-foreground">
              A switched-off endpoint gets no requests; its prices and settings stay.
            </p>
            {routedProvider && !routedProvider.available && (
              <p className="flex items-start gap-1.5 text-xs">
                <AlertTriangle className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden />
                <span>
                  {routedProvider.name} is not available now
                  {routedProvider.unavailable_reason ? `: ${routedProvider.unavailable_reason}` : routedProvider.enabled ? "." : ": it is switched off."}
                </span>
              </p>
            )}
          </div>
          <Switch id="endpoint-enabled" checked={enabled} onCheckedChange={setEnabled} aria-describedby="endpoint-enabled-hint" />
        </div>

        {put.error && <FormError error={put.error} />}
        <DialogFooter>
          <Button variant="outline" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={put.isPending} disabled={!editing && free.length === 0}>
            {when === "later" && editing ? (
              <>
                <CalendarClock aria-hidden />
                Schedule prices
              </>
            ) : editing ? (
              "Save changes"
            ) : (
              "Add provider"
            )}
          </Button>
        </DialogFooter>
      </form>
      {editing && (
        <div className="min-w-0 border-t pt-4">
          <PriceHistory model={model.id} provider={endpoint.provider} />
        </div>
      )}
    </div>
  );
}
