import { ChevronDown } from "lucide-react";
import type React from "react";
import type { Model } from "@/lib/api";
import { formatPricePerMillion } from "@/lib/money";
import { Label } from "@/components/ui/label";
import { Link } from "@/components/ui/link";
import { Skeleton } from "@/components/ui/skeleton";
import { cheapestEndpoint, isAvailable } from "../data/models";

/** The model's prompt and completion price per million tokens, from its cheapest available provider. */
export function ModelPrice({ model }: { model: Model }) {
  const cheapest = cheapestEndpoint(model);
  if (!cheapest) return <p className="text-xs text-muted-foreground">No provider serves this model yet.</p>;
  const { prices } = cheapest.endpoint;
  return (
    <p className="text-xs text-muted-foreground" data-testid="model-price">
      {cheapest.varies && "From "}
      <span className="font-medium tabular-nums text-foreground">{formatPricePerMillion(prices.input)}</span> prompt ·{" "}
      <span className="font-medium tabular-nums text-foreground">{formatPricePerMillion(prices.output)}</span> completion per 1M tokens
      {" · "}
      <Link to={"/models/" + model.id} className="text-primary underline-offset-2 hover:underline">
        Details
      </Link>
    </p>
  );
}

/** A native select of the catalog's models (type-ahead and phone pickers for free). */
export function ModelPicker({
  models,
  value,
  onChange,
  loading,
  error,
  id = "playground-model",
  label = "Model",
  action,
}: {
  id?: string;
  label?: string;
  /** A control beside the label (the comparison's Remove button). */
  action?: React.ReactNode;
  models: Model[];
  value: string;
  onChange: (id: string) => void;
  loading?: boolean;
  error?: string | null;
}) {
  const selected = models.find((m) => m.id === value) ?? null;
  return (
    <div className="grid gap-1.5">
      <div className="flex min-h-5 items-center justify-between gap-2">
        <Label htmlFor={id}>{label}</Label>
        {action}
      </div>
      {loading ? (
        <>
          <Skeleton className="h-9 w-full" />
          <Skeleton className="h-4 w-56" />
        </>
      ) : (
        <>
          <div className="relative">
            <select
              id={id}
              value={value}
              onChange={(e) => onChange(e.target.value)}
              aria-invalid={!!error}
              aria-describedby={error ? `${id}-error` : undefined}
              className="h-9 w-full cursor-pointer appearance-none truncate rounded-md border border-input bg-background py-1 pl-3 pr-9 text-sm shadow-xs focus-visible:outline-2 focus-visible:outline-offset-0 focus-visible:outline-ring aria-[invalid=true]:border-destructive"
            >
              {!selected && <option value={value}>{value ? value + " (not in the catalog)" : "Choose a model"}</option>}
              {models.map((m) => (
                <option key={m.id} value={m.id} disabled={!isAvailable(m)}>
                  {m.name}
                  {isAvailable(m) ? "" : " (unavailable)"}
                </option>
              ))}
            </select>
            <ChevronDown className="pointer-events-none absolute right-3 top-1/2 size-4 -translate-y-1/2 opacity-50" aria-hidden />
          </div>
          {error ? (
            <p id={`${id}-error`} role="alert" className="text-xs font-medium text-destructive">
              {error}
            </p>
          ) : selected ? (
            <ModelPrice model={selected} />
          ) : (
            <p className="text-xs text-muted-foreground">&nbsp;</p>
          )}
        </>
      )}
    </div>
  );
}
