// The account's default provider preferences (GET/PUT /api/me/provider-preferences): OpenRouter's
// `provider` fields, which the gateway applies to every request of the account that sets none.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, call, type Schemas } from "@/lib/api";
import { useCatalog } from "@/lib/queries";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";
import { Checkbox } from "@/components/ui/checkbox";
import { Input } from "@/components/ui/input";
import { Field, Label } from "@/components/ui/label";
import { NativeSelect } from "@/components/ui/native-select";
import { Skeleton } from "@/components/ui/skeleton";
import { ErrorState, FormError } from "@/components/ui/states";
import { toast } from "@/components/ui/toast";

type Prefs = Schemas["ProviderPreferences"];
type Form = { sort: string; order: string; only: string; ignore: string; allowFallbacks: boolean; dataCollection: string };

const key = ["provider-preferences"] as const;
const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

function toForm(p: Prefs | null): Form {
  return {
    sort: p?.sort ?? "",
    order: (p?.order ?? []).join(", "),
    only: (p?.only ?? []).join(", "),
    ignore: (p?.ignore ?? []).join(", "),
    allowFallbacks: p?.allow_fallbacks ?? true,
    dataCollection: p?.data_collection ?? "allow",
  };
}

/** The `provider` object to store: only what differs from OpenRouter's defaults; null when nothing does. */
function fromForm(f: Form, kept: Prefs | null): Prefs | null {
  const p: Prefs = {};
  // Fields this form does not show are kept as they were (set through the API).
  if (kept?.require_parameters !== undefined) p.require_parameters = kept.require_parameters;
  if (kept?.zdr !== undefined) p.zdr = kept.zdr;
  if (kept?.max_price !== undefined) p.max_price = kept.max_price;
  if (f.sort) p.sort = f.sort as Prefs["sort"];
  if (list(f.order).length) p.order = list(f.order);
  if (list(f.only).length) p.only = list(f.only);
  if (list(f.ignore).length) p.ignore = list(f.ignore);
  if (!f.allowFallbacks) p.allow_fallbacks = false;
  if (f.dataCollection === "deny") p.data_collection = "deny";
  return Object.keys(p).length ? p : null;
}

function PreferencesForm({ initial }: { initial: Prefs | null }) {
  const queryClient = useQueryClient();
  const catalog = useCatalog();
  const [form, setForm] = useState<Form>(() => toForm(initial));
  const set = (change: Partial<Form>) => setForm((f) => ({ ...f, ...change }));
  const save = useMutation({
    mutationFn: (provider: Prefs | null) => call(() => api.PUT("/api/me/provider-preferences", { body: { provider } })),
    onSuccess: (data) => {
      queryClient.setQueryData(key, data);
      setForm(toForm(data.provider ?? null));
      toast.success(data.provider ? "Default provider preferences saved" : "Default provider preferences cleared");
    },
  });
  const providers = catalog.data?.providers ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate(fromForm(form, initial));
  };
  const select = (id: string, value: string, onChange: (v: string) => void, options: [string, string][]) => (
    <NativeSelect id={id} value={value} onChange={(e) => onChange(e.target.value)}>
      {options.map(([v, label]) => (
        <option key={v} value={v}>
          {label}
        </option>
      ))}
    </NativeSelect>
  );
  return (
    <form className="grid gap-4" onSubmit={submit} noValidate>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="pref-sort" label="Sort providers by">
          {select("pref-sort", form.sort, (sort) => set({ sort }), [
            ["", "Price, health breaking ties (default)"],
            ["price", "Price"],
            ["throughput", "Throughput"],
            ["latency", "Latency"],
          ])}
        </Field>
        <Field id="pref-data" label="Data collection">
          {select("pref-data", form.dataCollection, (dataCollection) => set({ dataCollection }), [
            ["allow", "Allow providers that may keep prompts"],
            ["deny", "Deny: only providers that do not"],
          ])}
        </Field>
        <Field id="pref-order" label="Try first, in order" hint="Provider ids or names, separated by commas.">
          <Input id="pref-order" value={form.order} onChange={(e) => set({ order: e.target.value })} placeholder="e.g. openai, anthropic" />
        </Field>
        <Field id="pref-only" label="Only these providers">
          <Input id="pref-only" value={form.only} onChange={(e) => set({ only: e.target.value })} />
        </Field>
        <Field id="pref-ignore" label="Never these providers">
          <Input id="pref-ignore" value={form.ignore} onChange={(e) => set({ ignore: e.target.value })} />
        </Field>
        <div className="flex items-center gap-2 sm:pt-6">
          <Checkbox id="pref-fallbacks" checked={form.allowFallbacks} onCheckedChange={(v) => set({ allowFallbacks: v === true })} />
          <Label htmlFor="pref-fallbacks">Fall back to other providers</Label>
        </div>
      </div>
      {providers.length > 0 && (
        <p className="text-xs text-muted-foreground">
          Providers: <span className="font-mono">{providers.map((p) => p.id).join(", ")}</span>
        </p>
      )}
      {save.error && <FormError error={save.error} />}
      <div className="flex flex-wrap gap-2">
        <Button type="submit" loading={save.isPending && save.variables !== null}>
          Save preferences
        </Button>
        <Button type="button" variant="outline" disabled={!initial} loading={save.isPending && save.variables === null} onClick={() => save.mutate(null)}>
          Clear
        </Button>
      </div>
    </form>
  );
}

export function ProviderPreferencesCard() {
  const prefs = useQuery({ queryKey: key, queryFn: () => call(() => api.GET("/api/me/provider-preferences")) });
  return (
    <Card>
      <CardHeader>
        <CardTitle>Default provider preferences</CardTitle>
        <CardDescription>
          Applied by the gateway to every request of your keys that sets no <code className="font-mono">provider</code> of its own (OpenRouter's provider
          routing fields); a request's own <code className="font-mono">provider</code> replaces them.
        </CardDescription>
      </CardHeader>
      <CardContent>
        {prefs.isError ? (
          <ErrorState error={prefs.error} onRetry={() => prefs.refetch()} />
        ) : prefs.isPending ? (
          <Skeleton className="h-40 w-full" />
        ) : (
          <PreferencesForm key={JSON.stringify(prefs.data.provider)} initial={prefs.data.provider ?? null} />
        )}
      </CardContent>
    </Card>
  );
}
