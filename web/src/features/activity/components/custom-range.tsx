import { useDraft } from "@/hooks/use-draft";
import { Input } from "@/components/ui/input";
import { Field } from "@/components/ui/label";
import { checkCustomRange } from "../data/range";

/**
 * Two date inputs (UTC days, both included). What is typed stays local until it makes a valid
 * range, so a half-typed date never empties the page.
 */
export function CustomRange({ from, to, max, onChange }: { from: string; to: string; max: string; onChange: (range: { from: string; to: string }) => void }) {
  // A range from outside (the URL: back, forward, a preset) replaces what is typed.
  const [draft, setDraft] = useDraft({ from, to }, (a, b) => a.from === b.from && a.to === b.to);
  const { from: draftFrom, to: draftTo } = draft;

  const check = checkCustomRange(draftFrom, draftTo);
  const update = (f: string, t: string) => {
    setDraft({ from: f, to: t });
    if (checkCustomRange(f, t).ok && (f !== from || t !== to)) onChange({ from: f, to: t });
  };

  return (
    <div className="grid gap-1.5">
      <div className="grid grid-cols-2 items-end gap-3 sm:flex">
        <Field id="activity-from" label="From" className="min-w-0 sm:w-40">
          <Input
            id="activity-from"
            type="date"
            value={draftFrom}
            max={draftTo || max}
            onChange={(e) => update(e.target.value, draftTo)}
            aria-invalid={!check.ok || undefined}
            aria-describedby={!check.ok ? "activity-range-error" : undefined}
          />
        </Field>
        <Field id="activity-to" label="To" className="min-w-0 sm:w-40">
          <Input
            id="activity-to"
            type="date"
            value={draftTo}
            min={draftFrom || undefined}
            max={max}
            onChange={(e) => update(draftFrom, e.target.value)}
            aria-invalid={!check.ok || undefined}
            aria-describedby={!check.ok ? "activity-range-error" : undefined}
          />
        </Field>
      </div>
      {!check.ok && (
        <p id="activity-range-error" role="alert" className="text-xs font-medium text-destructive">
          {check.error}
        </p>
      )}
    </div>
  );
}
