import { X } from "lucide-react";
import { useEffect, useRef } from "react";
import { useDraft } from "@/hooks/use-draft";
import type { Key } from "@/lib/api";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { hasFilters, STATUS_OPTIONS, type LogFilters } from "../data/filters";

const ALL = "all";

/** Key, model, status and date filters; every change lands in the URL. */
export function LogFiltersBar({
  filters,
  keys,
  models,
  onChange,
}: {
  filters: LogFilters;
  keys: Key[];
  models: string[];
  onChange: (update: Partial<LogFilters>) => void;
}) {
  // The model box commits after a pause in typing (or on Enter), not on every key.
  const [model, setModel] = useDraft(filters.model);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const commitModel = (value: string) => {
    clearTimeout(timer.current);
    if (value.trim() !== filters.model) onChange({ model: value.trim() });
  };

  return (
    <div className="grid grid-cols-2 gap-3 md:grid-cols-3 md:items-end">
      <Field id="logs-key" label="Key" className="min-w-0 grid-cols-[minmax(0,1fr)]">
        <Select value={filters.key || ALL} onValueChange={(v) => onChange({ key: v === ALL ? "" : v })}>
          <SelectTrigger id="logs-key">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All keys</SelectItem>
            {keys.map((k) => (
              <SelectItem key={k.id} value={String(k.id)}>
                {k.name}
              </SelectItem>
            ))}
            {filters.key && !keys.some((k) => String(k.id) === filters.key) && <SelectItem value={filters.key}>Key #{filters.key}</SelectItem>}
          </SelectContent>
        </Select>
      </Field>
      <Field id="logs-model" label="Model" className="col-span-2 min-w-0 grid-cols-[minmax(0,1fr)] max-md:order-first md:col-span-1">
        <Input
          id="logs-model"
          type="search"
          placeholder="Any model"
          list="logs-model-options"
          autoComplete="off"
          spellCheck={false}
          value={model}
          onChange={(e) => {
            const v = e.target.value;
            setModel(v);
            clearTimeout(timer.current);
            timer.current = setTimeout(() => commitModel(v), 400);
          }}
          onKeyDown={(e) => {
            if (e.key === "Enter") commitModel(model);
          }}
          onBlur={() => commitModel(model)}
        />
        <datalist id="logs-model-options">
          {models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </Field>
      <Field id="logs-status" label="Status" className="min-w-0 grid-cols-[minmax(0,1fr)]">
        <Select value={filters.status || ALL} onValueChange={(v) => onChange({ status: v === ALL ? "" : v })}>
          <SelectTrigger id="logs-status">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            <SelectItem value={ALL}>All statuses</SelectItem>
            {STATUS_OPTIONS.map((o) => (
              <SelectItem key={o.value} value={o.value}>
                {o.label}
              </SelectItem>
            ))}
            {filters.status && !STATUS_OPTIONS.some((o) => o.value === filters.status) && (
              <SelectItem value={filters.status}>{filters.status}</SelectItem>
            )}
          </SelectContent>
        </Select>
      </Field>
      <Field id="logs-from" label="From" className="min-w-0 grid-cols-[minmax(0,1fr)]">
        <Input id="logs-from" className="min-w-0 px-2 sm:px-3" type="date" value={filters.from} max={filters.to || undefined} onChange={(e) => onChange({ from: e.target.value })} />
      </Field>
      <Field id="logs-to" label="To" className="min-w-0 grid-cols-[minmax(0,1fr)]">
        <Input id="logs-to" className="min-w-0 px-2 sm:px-3" type="date" value={filters.to} min={filters.from || undefined} onChange={(e) => onChange({ to: e.target.value })} />
      </Field>
      <div className="col-span-2 flex items-end md:col-span-1">
        <Button
          variant="ghost"
          onClick={() => onChange({ key: "", model: "", status: "", from: "", to: "" })}
          disabled={!hasFilters(filters)}
          className={hasFilters(filters) ? "" : "invisible max-md:hidden"}
          aria-hidden={!hasFilters(filters) || undefined}
          tabIndex={hasFilters(filters) ? undefined : -1}
        >
          <X />
          Clear filters
        </Button>
      </div>
    </div>
  );
}
