import { X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { ExportButton, type CsvExport } from "@/components/ui/export-button";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { hasFilters, TYPE_OPTIONS, type HistoryFilters } from "../data/history";

const ALL = "all";

/** Type and local-day filters (every change lands in the URL), and the CSV export of what they select. */
export function HistoryFiltersBar({
  filters,
  onChange,
  onExport,
}: {
  filters: HistoryFilters;
  onChange: (update: Partial<HistoryFilters>) => void;
  onExport: () => Promise<CsvExport>;
}) {
  const filtered = hasFilters(filters);
  return (
    <div className="grid grid-cols-2 gap-3 sm:grid-cols-[repeat(3,minmax(0,1fr))_auto] sm:items-end">
      <Field id="history-type" label="Type" className="col-span-2 min-w-0 grid-cols-[minmax(0,1fr)] sm:col-span-1">
        <Select value={filters.type || ALL} onValueChange={(v) => onChange({ type: v === ALL ? "" : (v as HistoryFilters["type"]) })}>
          <SelectTrigger id="history-type">
            <SelectValue />
          </SelectTrigger>
          <SelectContent>
            {TYPE_OPTIONS.map((o) => (
              <SelectItem key={o.value || ALL} value={o.value || ALL}>
                {o.label}
              </SelectItem>
            ))}
          </SelectContent>
        </Select>
      </Field>
      <DayField id="history-from" label="From" value={filters.from} max={filters.to} onChange={(from) => onChange({ from })} />
      <DayField id="history-to" label="To" value={filters.to} min={filters.from} onChange={(to) => onChange({ to })} />
      <div className="col-span-2 flex flex-wrap items-end gap-2 sm:col-span-1">
        {filtered && (
          <Button variant="ghost" onClick={() => onChange({ type: "", from: "", to: "" })}>
            <X />
            Clear
          </Button>
        )}
        <ExportButton build={onExport} className="max-sm:flex-1" />
      </div>
    </div>
  );
}

/** One local-day bound ("" for none), kept on its side of the other (`min` / `max`). */
function DayField({
  id,
  label,
  value,
  min = "",
  max = "",
  onChange,
}: {
  id: string;
  label: string;
  value: string;
  min?: string;
  max?: string;
  onChange: (day: string) => void;
}) {
  return (
    <Field id={id} label={label} className="min-w-0 grid-cols-[minmax(0,1fr)]">
      <Input
        id={id}
        className="min-w-0 px-2 sm:px-3"
        type="date"
        value={value}
        min={min || undefined}
        max={max || undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    </Field>
  );
}
